#include "kubepriv/aws/ini.hpp"

#include <gtest/gtest.h>

using kubepriv::aws::parse_ini;

TEST(Ini, SectionsKeysCommentsAndSpaces) {
  auto ini = parse_ini(
      "# comment\n; other comment\n[default]\naws_access_key_id = AKID\n"
      "aws_secret_access_key=SECRET ; trailing comment\n\n[profile dev]\n  region = eu-west-1\n"
      "role_arn=arn:aws:iam::1:role/x#notacomment\n");
  ASSERT_TRUE(ini) << ini.error().message;
  EXPECT_EQ(ini->at("default").at("aws_access_key_id"), "AKID");
  EXPECT_EQ(ini->at("default").at("aws_secret_access_key"), "SECRET");
  // An indented first key of a section is a key, not a continuation.
  EXPECT_EQ(ini->at("profile dev").at("region"), "eu-west-1");
  EXPECT_EQ(ini->at("profile dev").at("role_arn"), "arn:aws:iam::1:role/x#notacomment");
}

TEST(Ini, CrlfBomContinuationAndDuplicates) {
  auto ini = parse_ini(
      "\xEF\xBB\xBF[a]\r\nk = 1\r\ns3 =\r\n  max = 10\r\n  other = 2\r\n[b]\r\n[a]\r\nk = 3\r\n");
  ASSERT_TRUE(ini) << ini.error().message;
  EXPECT_EQ(ini->at("a").at("k"), "3");  // a repeated section merges; later key wins
  EXPECT_EQ(ini->at("a").at("s3"), "\nmax = 10\nother = 2");
  EXPECT_TRUE(ini->at("b").empty());
  EXPECT_EQ(ini->count("c"), 0u);
}

TEST(Ini, ErrorsCarryLineNumbers) {
  auto bad = parse_ini("[a]\nk = 1\nthis line is junk\n");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("line 3"), std::string::npos);
  EXPECT_FALSE(parse_ini("k = 1\n"));  // key before any section
  EXPECT_FALSE(parse_ini("[unterminated\n"));
  EXPECT_FALSE(parse_ini("[]\n"));
  EXPECT_FALSE(parse_ini("[a]\n= v\n"));
  EXPECT_TRUE(parse_ini(""));
}
