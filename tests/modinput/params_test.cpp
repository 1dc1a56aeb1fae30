#include "kubepriv/modinput/params.hpp"

#include <expat.h>
#include <gtest/gtest.h>

#include "kubepriv/modinput/input_definition.hpp"
#include "kubepriv/modinput/scheme.hpp"

namespace mi = kubepriv::modinput;

namespace {

std::vector<mi::Param> table() {
  return {
      {"region", "Region", "AWS region.", mi::DataType::kString, true, "", nullptr},
      {"latency", "Latency", "Wait before reading.", mi::DataType::kNumber, false, "120s",
       mi::duration_between(0, 3600)},
      {"use_fips", "FIPS", "Use FIPS endpoints.", mi::DataType::kBoolean, false, "false",
       mi::boolean()},
      {"mode", "Mode", "A <choice> & more.", mi::DataType::kString, false, "",
       mi::one_of({"a", "b"})},
  };
}

}  // namespace

TEST(Params, DurationParsesUnits) {
  EXPECT_EQ(*mi::parse_duration_seconds("120"), 120);
  EXPECT_EQ(*mi::parse_duration_seconds("120s"), 120);
  EXPECT_EQ(*mi::parse_duration_seconds("10m"), 600);
  EXPECT_EQ(*mi::parse_duration_seconds(" 2h "), 7200);
  EXPECT_EQ(*mi::parse_duration_seconds("1d"), 86400);
  EXPECT_FALSE(mi::parse_duration_seconds("").has_value());
  EXPECT_FALSE(mi::parse_duration_seconds("-5s").has_value());
  EXPECT_FALSE(mi::parse_duration_seconds("5 weeks").has_value());
  EXPECT_FALSE(mi::parse_duration_seconds("99999999999999999999").has_value());
  EXPECT_NE(mi::parse_duration_seconds("5x").error().message.find("unknown unit"),
            std::string::npos);
}

TEST(Params, BoolAndNumbers) {
  EXPECT_TRUE(*mi::parse_bool("TRUE"));
  EXPECT_TRUE(*mi::parse_bool("1"));
  EXPECT_FALSE(*mi::parse_bool("off"));
  EXPECT_FALSE(mi::parse_bool("maybe").has_value());
  EXPECT_DOUBLE_EQ(*mi::parse_positive_number("2.5"), 2.5);
  EXPECT_FALSE(mi::parse_positive_number("0").has_value());
  EXPECT_FALSE(mi::parse_positive_number("nan").has_value());
  EXPECT_FALSE(mi::parse_positive_number("3tps").has_value());
}

TEST(Params, ValidateExplainsEachBadValue) {
  const auto t = table();
  mi::ParamValues v{{"latency", "soon"}, {"use_fips", "perhaps"}, {"mode", "c"}, {"index", "x"}};
  const auto issues = mi::validate_params(t, v);
  ASSERT_EQ(issues.size(), 4u);  // region missing + three bad values; unknown "index" ignored
  const std::string all = mi::describe_issues(issues);
  EXPECT_NE(all.find("region: is required"), std::string::npos) << all;
  EXPECT_NE(all.find("latency: \"soon\" is not a duration"), std::string::npos) << all;
  EXPECT_NE(all.find("use_fips: \"perhaps\" is not a boolean"), std::string::npos) << all;
  EXPECT_NE(all.find("mode: \"c\" is not one of: a b"), std::string::npos) << all;
}

TEST(Params, RangeChecked) {
  const auto t = table();
  EXPECT_EQ(mi::validate_params(t, {{"region", "x"}, {"latency", "2h"}}).size(), 1u);
  EXPECT_TRUE(mi::validate_params(t, {{"region", "x"}, {"latency", "1h"}}).empty());
}

TEST(Params, DefaultsFillAbsentAndEmpty) {
  const auto t = table();
  auto v = mi::with_defaults(t, {{"region", "eu-west-1"}, {"use_fips", ""}});
  EXPECT_EQ(v["latency"], "120s");
  EXPECT_EQ(v["use_fips"], "false");
  EXPECT_EQ(v["region"], "eu-west-1");
  EXPECT_EQ(v.count("mode"), 0u);
}

TEST(Scheme, IsWellFormedAndListsEveryArg) {
  const auto t = table();
  const std::string xml = mi::scheme_xml({"EKS <audit>", "desc & more", true, false}, t);
  // Well-formed: expat accepts it.
  XML_Parser p = XML_ParserCreate(nullptr);
  const auto ok = XML_Parse(p, xml.data(), static_cast<int>(xml.size()), XML_TRUE);
  XML_ParserFree(p);
  EXPECT_EQ(ok, XML_STATUS_OK) << xml;
  EXPECT_NE(xml.find("<title>EKS &lt;audit&gt;</title>"), std::string::npos);
  EXPECT_NE(xml.find("<streaming_mode>xml</streaming_mode>"), std::string::npos);
  EXPECT_NE(xml.find("<use_external_validation>true</use_external_validation>"), std::string::npos);
  for (const auto& p2 : t) {
    EXPECT_NE(xml.find("<arg name=\"" + p2.name + "\">"), std::string::npos) << p2.name;
  }
  EXPECT_NE(xml.find("<data_type>boolean</data_type>"), std::string::npos);
  EXPECT_NE(xml.find("<data_type>number</data_type>"), std::string::npos);
  EXPECT_NE(xml.find("A &lt;choice&gt; &amp; more."), std::string::npos);
  EXPECT_NE(xml.find("Default: 120s."), std::string::npos);
}

TEST(Scheme, ValidationErrorEscapes) {
  EXPECT_EQ(mi::validation_error_xml("a <b> & \"c\""),
            "<error><message>a &lt;b&gt; &amp; \"c\"</message></error>\n");
}
