#include "kubepriv/modinput/event_writer.hpp"

#include <expat.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "kubepriv/modinput/xml_escape.hpp"

namespace mi = kubepriv::modinput;

namespace {

std::string esc(std::string_view s) {
  std::string out;
  mi::append_xml_escaped(out, s);
  return out;
}

bool well_formed(const std::string& xml) {
  XML_Parser p = XML_ParserCreate("UTF-8");
  const auto ok = XML_Parse(p, xml.data(), static_cast<int>(xml.size()), XML_TRUE);
  XML_ParserFree(p);
  return ok == XML_STATUS_OK;
}

}  // namespace

TEST(XmlEscape, Entities) {
  EXPECT_EQ(esc("a<b>&\"c'"), "a&lt;b&gt;&amp;\"c'");
  std::string attr;
  mi::append_xml_escaped(attr, "a\"<", true);
  EXPECT_EQ(attr, "a&quot;&lt;");
  EXPECT_EQ(esc("]]>"), "]]&gt;");
  EXPECT_EQ(esc("tab\tnl\ncr\r"), "tab\tnl\ncr\r");
}

TEST(XmlEscape, ValidUtf8Kept) {
  const std::string s = "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80";
  EXPECT_EQ(esc(s), s);
}

TEST(XmlEscape, InvalidCharsReplaced) {
  std::string out;
  EXPECT_EQ(mi::append_xml_escaped(out, std::string("a\x01"
                                                    "b\x00"
                                                    "c",
                                                    5)),
            2u);
  EXPECT_EQ(out,
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD"
            "c");
  EXPECT_EQ(esc("\xFF"), "\xEF\xBF\xBD");                                  // not UTF-8
  EXPECT_EQ(esc("\xC3"), "\xEF\xBF\xBD");                                  // truncated
  EXPECT_EQ(esc("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");                  // overlong
  EXPECT_EQ(esc("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(esc("\xEF\xBF\xBE"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // U+FFFE
  EXPECT_EQ(esc("\xF4\x90\x80\x80").size(), 12u);                          // > U+10FFFF
}

TEST(XmlEscape, EveryByteYieldsWellFormedXml) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  all += all;
  EXPECT_TRUE(well_formed("<d>" + esc(all) + "</d>"));
}

TEST(FormatTime, Milliseconds) {
  EXPECT_EQ(mi::format_time_ms(1372274622493), "1372274622.493");
  EXPECT_EQ(mi::format_time_ms(5), "0.005");
  EXPECT_EQ(mi::format_time_ms(1000), "1.000");
  EXPECT_EQ(mi::format_time_ms(-1), "-1.999");
}

TEST(EventWriter, StreamShape) {
  mi::StringSink sink;
  mi::EventWriter w(sink);
  ASSERT_TRUE(w.write({"eks_audit_logs://a\"", 1700000000123, "h<1>", "kubernetes",
                       "aws:cloudwatchlogs:eks", "main", "{\"a\":\"<x>&\"}"}));
  ASSERT_TRUE(w.write({"", std::nullopt, "", "", "", "", "second"}));
  EXPECT_TRUE(sink.data.empty());  // buffered until flush
  ASSERT_TRUE(w.close());
  EXPECT_EQ(sink.data,
            "<stream>\n"
            "<event stanza=\"eks_audit_logs://a&quot;\" unbroken=\"1\"><time>1700000000.123</time>"
            "<host>h&lt;1&gt;</host><source>kubernetes</source>"
            "<sourcetype>aws:cloudwatchlogs:eks</sourcetype><index>main</index>"
            "<data>{\"a\":\"&lt;x&gt;&amp;\"}</data><done/></event>\n"
            "<event unbroken=\"1\"><data>second</data><done/></event>\n"
            "</stream>\n");
  EXPECT_TRUE(well_formed(sink.data));
  EXPECT_EQ(w.events_written(), 2u);
  EXPECT_FALSE(w.write({"", std::nullopt, "", "", "", "", "late"}));
}

TEST(EventWriter, EmptyStreamStillWellFormed) {
  mi::StringSink sink;
  mi::EventWriter w(sink);
  ASSERT_TRUE(w.close());
  EXPECT_EQ(sink.data, "<stream>\n</stream>\n");
}

TEST(EventWriter, AutoFlushAtLimit) {
  mi::StringSink sink;
  mi::EventWriter w(sink, 100);
  const std::string big(200, 'x');
  ASSERT_TRUE(w.write({"", std::nullopt, "", "", "", "", big}));
  EXPECT_NE(sink.data.find(big), std::string::npos);
}

TEST(EventWriter, FdSinkReportsErrors) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ::close(fds[0]);  // reader gone: EPIPE (SIGPIPE ignored below)
  signal(SIGPIPE, SIG_IGN);
  mi::FdSink sink(fds[1]);
  auto r = sink.write("data");
  ::close(fds[1]);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("writing the event stream failed"), std::string::npos);
}
