#include "kubepriv/modinput/input_definition.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace mi = kubepriv::modinput;

namespace {

const char* const kBody = R"(
<input>
  <server_host>tiny</server_host>
  <server_uri>https://127.0.0.1:8089</server_uri>
  <session_key>123102983109283019283</session_key>
  <checkpoint_dir>/some/dir</checkpoint_dir>
  <configuration>
    <stanza name="eks_audit_logs://aaa" app="search">
      <param name="region">eu-west-1</param>
      <param name="log_group">/aws/eks/caf&#xe9;/cluster</param>
      <param name="index">default</param>
    </stanza>
    <stanza name="eks_audit_logs://bbb" app="my_app">
      <param_list name="multiValue"><value>value1</value><value>value2</value></param_list>
      <param name="empty"></param>
    </stanza>
  </configuration>
</input>)";

// Code points below U+10000 only (enough for these documents).
std::string utf16(std::string_view utf8, bool little, bool bom) {
  std::u32string cps;
  for (std::size_t i = 0; i < utf8.size();) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    if (c < 0x80) {
      cps += c;
      i += 1;
    } else {
      cps += static_cast<char32_t>(((c & 0x1F) << 6) |
                                   (static_cast<unsigned char>(utf8[i + 1]) & 0x3F));
      i += 2;
    }
  }
  std::string out;
  auto put = [&](char32_t u) {
    const char hi = static_cast<char>((u >> 8) & 0xFF), lo = static_cast<char>(u & 0xFF);
    if (little) {
      out += lo;
      out += hi;
    } else {
      out += hi;
      out += lo;
    }
  };
  if (bom) put(0xFEFF);
  for (char32_t u : cps) put(u);
  return out;
}

void expect_full(const mi::InputDefinition& d) {
  EXPECT_FALSE(d.validation);
  EXPECT_EQ(d.server_host, "tiny");
  EXPECT_EQ(d.server_uri, "https://127.0.0.1:8089");
  EXPECT_EQ(d.session_key, "123102983109283019283");
  EXPECT_EQ(d.checkpoint_dir, "/some/dir");
  ASSERT_EQ(d.stanzas.size(), 2u);
  EXPECT_EQ(d.stanzas[0].name, "eks_audit_logs://aaa");
  EXPECT_EQ(d.stanzas[0].app, "search");
  EXPECT_EQ(d.stanzas[0].params.at("region"), "eu-west-1");
  EXPECT_EQ(d.stanzas[0].params.at("log_group"), "/aws/eks/caf\xC3\xA9/cluster");  // UTF-8 out
  EXPECT_EQ(d.stanzas[1].app, "my_app");
  EXPECT_EQ(d.stanzas[1].params.at("empty"), "");
  EXPECT_EQ(d.stanzas[1].param_lists.at("multiValue"),
            (std::vector<std::string>{"value1", "value2"}));
  EXPECT_EQ(mi::stanza_short_name(d.stanzas[1].name), "bbb");
}

}  // namespace

TEST(InputDefinition, Utf8WithoutDeclaration) {
  auto d = mi::parse_input_definition(kBody);
  ASSERT_TRUE(d) << d.error().message;
  expect_full(*d);
}

TEST(InputDefinition, Utf16AllForms) {
  const std::string doc = std::string("<?xml version=\"1.0\" encoding=\"utf-16\"?>") + kBody;
  for (bool little : {true, false}) {
    for (bool bom : {true, false}) {
      auto d = mi::parse_input_definition(utf16(doc, little, bom));
      ASSERT_TRUE(d) << "little=" << little << " bom=" << bom << ": " << d.error().message;
      expect_full(*d);
    }
  }
}

TEST(InputDefinition, Latin1Declared) {
  std::string doc = std::string("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>") + kBody;
  // Replace the character reference by a raw Latin-1 byte.
  doc.replace(doc.find("&#xe9;"), 6, "\xE9");
  auto d = mi::parse_input_definition(doc);
  ASSERT_TRUE(d) << d.error().message;
  expect_full(*d);
}

TEST(InputDefinition, WrongEncodingBytesRejected) {
  // Raw Latin-1 byte in a document that claims UTF-8.
  std::string doc = std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?>") + kBody;
  doc.replace(doc.find("&#xe9;"), 6, "\xE9");
  auto d = mi::parse_input_definition(doc);
  ASSERT_FALSE(d);
  EXPECT_NE(d.error().message.find("line"), std::string::npos) << d.error().message;
}

TEST(InputDefinition, UnknownEncodingIsAClearError) {
  auto d = mi::parse_input_definition("<?xml version=\"1.0\" encoding=\"x-klingon\"?><input/>");
  ASSERT_FALSE(d);
  EXPECT_NE(d.error().message.find("encoding"), std::string::npos) << d.error().message;
}

TEST(InputDefinition, EmptyConfiguration) {
  auto d =
      mi::parse_input_definition("<input><session_key>k</session_key><configuration/></input>");
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_TRUE(d->stanzas.empty());
  EXPECT_EQ(d->session_key, "k");
}

TEST(InputDefinition, ValidationItems) {
  auto d = mi::parse_input_definition(R"(<items><server_uri>https://h:8089</server_uri>
    <item name="aaa"><param name="region">us-east-1</param><param name="disabled">0</param></item>
    </items>)");
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_TRUE(d->validation);
  ASSERT_EQ(d->stanzas.size(), 1u);
  EXPECT_EQ(d->stanzas[0].name, "aaa");
  EXPECT_EQ(d->stanzas[0].params.at("region"), "us-east-1");
}

TEST(InputDefinition, ValidationWithoutItemRejected) {
  EXPECT_FALSE(mi::parse_input_definition("<items><server_uri>x</server_uri></items>"));
  EXPECT_FALSE(mi::parse_input_definition("<items><item name='a'/><item name='b'/></items>"));
}

TEST(InputDefinition, ExternalEntityRefused) {
  auto d = mi::parse_input_definition(R"(<?xml version="1.0"?>
<!DOCTYPE input [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<input><configuration><stanza name="s://a"><param name="p">&xxe;</param></stanza></configuration></input>)");
  ASSERT_FALSE(d);
  EXPECT_NE(d.error().message.find("DOCTYPE"), std::string::npos) << d.error().message;
}

TEST(InputDefinition, BillionLaughsRefused) {
  std::string doc = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">";
  for (int i = 1; i < 10; ++i) {
    doc += "<!ENTITY lol" + std::to_string(i) + " \"";
    for (int k = 0; k < 10; ++k)
      doc += "&lol" + (i > 1 ? std::to_string(i - 1) : std::string()) + ";";
    doc += "\">";
  }
  doc += "]><input><session_key>&lol9;</session_key></input>";
  auto d = mi::parse_input_definition(doc);
  ASSERT_FALSE(d);
}

TEST(InputDefinition, UndeclaredEntityRejected) {
  EXPECT_FALSE(mi::parse_input_definition("<input><session_key>&foo;</session_key></input>"));
}

TEST(InputDefinition, InvalidStanzaChildRejected) {
  auto d = mi::parse_input_definition(
      "<input><configuration><stanza name='s://a'><bogus/></stanza></configuration></input>");
  ASSERT_FALSE(d);
  EXPECT_NE(d.error().message.find("invalid configuration scheme"), std::string::npos);
}

TEST(InputDefinition, MalformedAndWrongRoot) {
  EXPECT_FALSE(mi::parse_input_definition(""));
  EXPECT_FALSE(mi::parse_input_definition("<input><configuration>"));
  EXPECT_FALSE(mi::parse_input_definition("not xml at all"));
  auto d = mi::parse_input_definition("<scheme/>");
  ASSERT_FALSE(d);
  EXPECT_NE(d.error().message.find("root element"), std::string::npos);
  EXPECT_FALSE(mi::parse_input_definition(
      "<input><configuration><stanza><param name='a'>b</param></stanza></configuration></input>"));
}

TEST(InputDefinition, UnknownRootChildrenSkipped) {
  auto d = mi::parse_input_definition(
      "<input><future><nested>x</nested></future><session_key>k</session_key></input>");
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->session_key, "k");
}

TEST(InputDefinition, MutatedDocumentsNeverCrashAndAlwaysExplain) {
  // Deterministic mutations of a valid document (byte flips, truncations, insertions of XML
  // syntax); under ASan/UBSan this is a small fuzz run. Every failure must carry a message.
  const std::string base = std::string("<?xml version=\"1.0\" encoding=\"utf-16\"?>") + kBody;
  const std::string doc16 = utf16(base, true, true);
  const char* const kBits[] = {"<", ">", "&", "&#0;", "]]>", "<!DOCTYPE x>", "\xFF", "\"", "/"};
  std::uint32_t seed = 12345;
  auto rnd = [&seed](std::size_t n) {
    seed = seed * 1664525u + 1013904223u;
    return static_cast<std::size_t>(seed >> 8) % n;
  };
  int ok = 0;
  for (int i = 0; i < 4000; ++i) {
    std::string d = (i % 2 == 0) ? std::string(kBody) : doc16;
    switch (rnd(4)) {
      case 0: d[rnd(d.size())] = static_cast<char>(rnd(256)); break;
      case 1: d.resize(rnd(d.size())); break;
      case 2: d.insert(rnd(d.size()), kBits[rnd(sizeof kBits / sizeof *kBits)]); break;
      default: d.erase(rnd(d.size()), rnd(8)); break;
    }
    auto r = mi::parse_input_definition(d);
    if (r) {
      ++ok;
    } else {
      EXPECT_FALSE(r.error().message.empty());
    }
  }
  EXPECT_GT(ok, 0);  // some mutations (inside text) stay valid
}
