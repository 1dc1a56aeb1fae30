// Decoder: format by magic bytes, gzip (multi-member) and zstd streaming in any chunking,
// damaged and truncated streams (error names the compressed offset; output before it kept);
// Scanner: a damaged stream counts as unreadable; --fail-on and the exit status.
#include "kubepriv/scan/decompress.hpp"

#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <string>
#include <vector>

#include "kubepriv/scan/scan.hpp"

namespace kubepriv::scan {
namespace {

// One gzip member of `text`, made by zlib's deflate (the independent encoder here).
std::string gzip(const std::string& text, int level = 6) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&zs, static_cast<uLong>(text.size())) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  zs.avail_in = static_cast<uInt>(text.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string zstd(const std::string& text) {
  std::string out(ZSTD_compressBound(text.size()), '\0');
  const std::size_t n = ZSTD_compress(out.data(), out.size(), text.data(), text.size(), 3);
  EXPECT_EQ(ZSTD_isError(n), 0U);
  out.resize(n);
  return out;
}

struct Decoded {
  std::string out;
  bool ok = true;
  std::string error;
  Compression kind = Compression::kUnknown;
};

Decoded decode(std::string_view in, std::size_t piece) {
  Decoded d;
  Decoder dec([&d](std::string_view b) { d.out.append(b); });
  bool ok = true;
  while (ok && !in.empty()) {
    const std::size_t n = std::min(piece, in.size());
    ok = dec.feed(in.substr(0, n));
    in.remove_prefix(n);
  }
  d.ok = ok && dec.finish();
  d.error = dec.error();
  d.kind = dec.compression();
  return d;
}

std::string lines(int n) {
  std::string text;
  for (int i = 0; i < n; ++i) {
    text += R"({"kind":"Event","auditID":"id-)" + std::to_string(i) +
            R"(","stage":"ResponseComplete","verb":"create"})" + "\n";
  }
  return text;
}

TEST(Decoder, PlainPassesThroughWhateverTheChunking) {
  for (const std::string& text : {std::string(), std::string("{"), std::string("\x1f"),
                                  std::string("BZh"), std::string("\x28\xb5"), lines(50)}) {
    for (const std::size_t piece : {1UL, 2UL, 3UL, 7UL, 4096UL}) {
      const auto d = decode(text, piece);
      EXPECT_TRUE(d.ok) << d.error;
      EXPECT_EQ(d.out, text);
      EXPECT_EQ(d.kind, Compression::kNone);
    }
  }
}

TEST(Decoder, GzipSingleAndMultiMember) {
  const std::string a = lines(300);
  const std::string b = lines(7);
  // Members split inside a line, as `split` + gzip or rotation by size could produce.
  const std::string multi = gzip(a.substr(0, 1001)) + gzip(a.substr(1001)) + gzip(b);
  for (const std::size_t piece : {1UL, 5UL, 64UL, 1UL << 20U}) {
    auto d = decode(gzip(a), piece);
    EXPECT_TRUE(d.ok) << d.error;
    EXPECT_EQ(d.kind, Compression::kGzip);
    EXPECT_EQ(d.out, a);
    d = decode(multi, piece);
    EXPECT_TRUE(d.ok) << d.error;
    EXPECT_EQ(d.out, a + b);
  }
  const auto empty = decode(gzip(""), 3);
  EXPECT_TRUE(empty.ok) << empty.error;
  EXPECT_EQ(empty.out, "");
}

TEST(Decoder, OutputLargerThanTheBufferAndStoredBlocks) {
  std::string big = lines(40000);  // ~3 MB, compresses ~50x: many output buffers per read
  for (const int level : {0, 1, 9}) {
    const auto d = decode(gzip(big, level), 1U << 20U);
    EXPECT_TRUE(d.ok) << d.error;
    EXPECT_EQ(d.out.size(), big.size());
    EXPECT_TRUE(d.out == big);
  }
}

TEST(Decoder, TruncatedGzipAtEveryOffsetKeepsThePrefixAndNamesTheOffset) {
  const std::string text = lines(40);
  const std::string gz = gzip(text) + gzip(text);
  for (std::size_t cut = 2; cut < gz.size(); ++cut) {
    if (cut == gz.size() / 2) continue;  // exactly between the members: a whole stream
    const auto d = decode(std::string_view(gz).substr(0, cut), 17);
    ASSERT_FALSE(d.ok) << cut;
    EXPECT_EQ(d.error, "truncated gzip stream: the input ends at compressed byte offset " +
                           std::to_string(cut) + " inside a member");
    EXPECT_EQ(d.out, (text + text).substr(0, d.out.size())) << cut;
  }
}

TEST(Decoder, CorruptGzipNamesTheOffsetAndKeepsWhatCameBefore) {
  const std::string text = lines(200);
  const std::string good = gzip(text);
  struct Case {
    std::size_t at;
    std::string why;
  };
  // FLG with reserved bits, the CRC-32 and the length of the trailer.
  for (const Case& c :
       {Case{3, "unknown header flags set"}, Case{good.size() - 6, "incorrect data check"},
        Case{good.size() - 2, "incorrect length check"}}) {
    std::string bad = good;
    bad[c.at] = static_cast<char>(bad[c.at] ^ 0xE0);
    const auto d = decode(bad + good, 64);
    ASSERT_FALSE(d.ok) << c.at;
    EXPECT_NE(d.error.find("corrupt gzip data at compressed byte offset "), std::string::npos)
        << d.error;
    EXPECT_NE(d.error.find(c.why), std::string::npos) << d.error;
    if (c.at > 10) {
      EXPECT_EQ(d.out, text);  // the trailer is checked after all data came out
    }
  }
  // Garbage after a complete member is not silently ignored.
  const auto d = decode(good + "not gzip", 4096);
  EXPECT_FALSE(d.ok);
  EXPECT_NE(d.error.find("the gzip member that ends at offset " + std::to_string(good.size()) +
                         " are not gzip data"),
            std::string::npos)
      << d.error;
  EXPECT_EQ(d.out, text);
  // Zero padding after the last member is ignored, as gzip(1) does; data after it is not.
  const auto padded = decode(good + std::string(100, '\0'), 7);
  EXPECT_TRUE(padded.ok) << padded.error;
  EXPECT_EQ(padded.out, text);
  const auto after = decode(good + std::string(5, '\0') + "x", 7);
  EXPECT_FALSE(after.ok);
  EXPECT_NE(after.error.find("offset " + std::to_string(good.size() + 5)), std::string::npos)
      << after.error;
}

TEST(Decoder, ZstdFramesAndTruncation) {
  const std::string a = lines(100);
  const std::string z = zstd(a) + zstd(a);
  for (const std::size_t piece : {1UL, 100UL, 1UL << 20U}) {
    const auto d = decode(z, piece);
    EXPECT_TRUE(d.ok) << d.error;
    EXPECT_EQ(d.kind, Compression::kZstd);
    EXPECT_EQ(d.out, a + a);
  }
  const auto cut = decode(std::string_view(z).substr(0, z.size() - 3), 50);
  EXPECT_FALSE(cut.ok);
  EXPECT_EQ(cut.error, "truncated zstd stream: the input ends at compressed byte offset " +
                           std::to_string(z.size() - 3) + " inside a frame");
  EXPECT_EQ(cut.out, (a + a).substr(0, cut.out.size()));
  EXPECT_GE(cut.out.size(), a.size());
}

TEST(Decoder, OtherCompressorsAreRefusedNotReadAsText) {
  for (const std::string& in :
       {std::string("\xfd"
                    "7zXZ\x00\x00\x04",
                    8),
        std::string("BZh91AY&SY\x01\x02"), std::string("\x04\x22\x4d\x18\x64\x40")}) {
    const auto d = decode(in, 1);
    EXPECT_FALSE(d.ok);
    EXPECT_EQ(d.kind, Compression::kUnsupported);
    EXPECT_NE(d.error.find("not supported"), std::string::npos) << d.error;
    EXPECT_EQ(d.out, "");
  }
}

// ---- EventReader::finish_cut: an event cut by damage is reported as such ----

struct Events final : EventHandler {
  std::vector<std::pair<std::string, std::string>> got;  // text, error
  void on_event(const RawEvent& e) override {
    got.emplace_back(std::string(e.text), std::string(e.error));
  }
};

TEST(FinishCut, AnEventLeftOpenCarriesTheReasonNotAJsonError) {
  const std::string why = "truncated: damaged here";
  {
    Events ev;
    EventReader reader(ev);
    reader.feed("{\"kind\":\"Event\"}\n{\"kind\":\"Ev");
    reader.finish_cut(why);
    ASSERT_EQ(ev.got.size(), 2U);
    EXPECT_EQ(ev.got[0].second, "");
    EXPECT_EQ(ev.got[1], (std::pair<std::string, std::string>{"{\"kind\":\"Ev", why}));
  }
  {  // inside an AWS CLI events[] element
    Events ev;
    EventReader reader(ev);
    reader.feed("{\n  \"events\": [\n    {\"message\": \"{}\"},\n    {\"message\": \"{\\\"ki");
    reader.finish_cut(why);
    ASSERT_EQ(ev.got.size(), 2U);
    EXPECT_EQ(ev.got[0], (std::pair<std::string, std::string>{"{}", ""}));
    EXPECT_EQ(ev.got[1].second, why);
  }
  {  // between events: nothing is invented
    Events ev;
    EventReader reader(ev);
    reader.feed("{\"kind\":\"Event\"}\n");
    reader.finish_cut(why);
    ASSERT_EQ(ev.got.size(), 1U);
    EXPECT_EQ(ev.got[0].second, "");
  }
}

// ---- Scanner: unreadable inputs, --fail-on, exit status ----

struct StringSink final : ByteSink {
  std::string data;
  common::Result<void> write(std::string_view bytes) override {
    data.append(bytes);
    return {};
  }
};

struct Run {
  Summary summary;
  std::vector<std::string> log;
  std::string out;
};

// Stand-in evaluator: "p" privileged (success), "r" risky with success, "d" risky but denied.
Run scan_with(const Options& options, const std::string& name, const std::string& bytes,
              std::size_t piece = 1000) {
  StringSink sink;
  BufferedWriter out(sink);
  core::Verdict v;
  Run run;
  Scanner scanner(
      options,
      [&v](std::string_view text) -> const core::Verdict& {
        v.clear();
        if (text.find("\"p\"") != std::string_view::npos) {
          v.reasons.add(core::Reason::kPrivilegedContainer);
          v.privileged = true;
          v.outcome = core::Outcome::kSuccess;
        } else if (text.find("\"r\"") != std::string_view::npos) {
          v.reasons.add(core::Reason::kHostPath);
          v.outcome = core::Outcome::kSuccess;
        } else if (text.find("\"d\"") != std::string_view::npos) {
          v.reasons.add(core::Reason::kPrivilegedContainer);
          v.outcome = core::Outcome::kDenied;
        }
        return v;
      },
      out, [&run](std::string_view line) { run.log.emplace_back(line); });
  scanner.begin_file(name);
  std::string_view in = bytes;
  while (!in.empty()) {
    const std::size_t n = std::min(piece, in.size());
    if (!scanner.feed(in.substr(0, n))) break;
    in.remove_prefix(n);
  }
  scanner.end_file();
  scanner.finish();
  run.summary = scanner.summary();
  run.out = sink.data;
  return run;
}

TEST(ScannerInput, GzipGivesTheSameRecordsAsPlain) {
  Options o;
  o.all = true;
  o.format = Format::kJsonl;
  const std::string text = lines(120);
  const auto plain = scan_with(o, "a", text);
  const auto gz = scan_with(o, "a", gzip(text.substr(0, 77)) + gzip(text.substr(77)), 13);
  EXPECT_EQ(gz.out, plain.out);
  EXPECT_EQ(gz.summary.events, 120U);
  EXPECT_EQ(gz.summary.unreadable, 0U);
}

TEST(ScannerInput, DamagedStreamIsUnreadableAfterTheEventsBeforeIt) {
  Options o;
  o.all = true;
  o.format = Format::kJsonl;
  const std::string text = lines(120);
  const std::string gz = gzip(text);
  const auto run = scan_with(o, "logs/audit.log.gz", gz.substr(0, gz.size() / 2));
  EXPECT_EQ(run.summary.unreadable, 1U);
  EXPECT_GT(run.summary.events, 0U);
  EXPECT_LT(run.summary.events, 120U);
  ASSERT_FALSE(run.log.empty());
  const std::string& last = run.log.back();
  EXPECT_NE(last.find("logs/audit.log.gz: truncated gzip stream"), std::string::npos) << last;
  EXPECT_NE(last.find("offset " + std::to_string(gz.size() / 2)), std::string::npos) << last;
  EXPECT_EQ(exit_status(o, run.summary), kExitError);
  // Every event but a cut last one is the same record as in the plain scan.
  const auto plain = scan_with(o, "logs/audit.log.gz", text);
  const std::string& got = run.out;
  const std::size_t last_nl = got.rfind('\n', got.size() - 2);
  const std::string before_last = got.substr(0, last_nl + 1);
  EXPECT_EQ(plain.out.substr(0, before_last.size()), before_last);
  EXPECT_NE(got.find("the compressed input is damaged inside this event", last_nl),
            std::string::npos);
  EXPECT_NE(format_summary(run.summary).find("1 input not read completely"), std::string::npos);
}

TEST(ScannerInput, FailOnLevelsAndExitStatus) {
  auto status = [](FailOn level, bool all, const std::string& text) {
    Options o;
    o.fail_on = level;
    o.all = all;
    return exit_status(o, scan_with(o, "f", text).summary);
  };
  const std::string denied = R"({"x":"d"})"
                             "\n";
  const std::string risky = R"({"x":"r"})"
                            "\n";
  const std::string priv = R"({"x":"p"})"
                           "\n";
  for (const bool all : {false, true}) {
    EXPECT_EQ(status(FailOn::kNever, all, priv), kExitOk);
    EXPECT_EQ(status(FailOn::kPrivileged, all, denied + risky), kExitOk);
    EXPECT_EQ(status(FailOn::kPrivileged, all, denied + priv), kExitFindings);
    EXPECT_EQ(status(FailOn::kRisky, all, denied), kExitOk);
    EXPECT_EQ(status(FailOn::kRisky, all, risky), kExitFindings);
    EXPECT_EQ(status(FailOn::kRisky, all, priv), kExitFindings);
  }
  // An unreadable input wins over findings.
  Options o;
  o.fail_on = FailOn::kRisky;
  const std::string gz = gzip(priv + priv);
  EXPECT_EQ(exit_status(o, scan_with(o, "f", gz.substr(0, gz.size() - 1)).summary), kExitError);
}

TEST(ScannerInput, FailOnAndFriendsParse) {
  std::vector<std::string_view> args{"--fail-on", "risky", "-r", "--progress", "x"};
  auto o = parse_options(args);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->fail_on, FailOn::kRisky);
  EXPECT_TRUE(o->recursive);
  EXPECT_EQ(o->progress, ProgressMode::kAlways);
  args = {"--fail-on=privileged", "--progress", "--quiet"};
  o = parse_options(args);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->fail_on, FailOn::kPrivileged);
  EXPECT_TRUE(o->quiet);
  EXPECT_EQ(o->progress, ProgressMode::kNever);
  for (const std::string_view bad : {"--fail-on=any", "--fail-on"}) {
    args = {bad};
    EXPECT_FALSE(parse_options(args)) << bad;
  }
}

}  // namespace
}  // namespace kubepriv::scan
