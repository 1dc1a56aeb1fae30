// Session and annotate-command tests of the SCP v2 layer, with a fake annotator (no detection):
// every request gets exactly one reply, the end-of-stream forms, selected-fields and full-record
// modes, multivalue columns, options and the malformed-input errors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "drip_pipe.hpp"
#include "kubepriv/scp/annotate.hpp"
#include "kubepriv/scp/chunk.hpp"
#include "kubepriv/scp/csv.hpp"
#include "kubepriv/scp/multivalue.hpp"
#include "kubepriv/scp/session.hpp"

namespace scp = kubepriv::scp;

namespace {

/// Judges values that start with '{'; `len` = byte count, `words` = space-separated words
/// (multivalue), `err` = error text. Flagged when the value contains "bad".
class FakeAnnotator final : public scp::Annotator {
 public:
  std::span<const scp::OutputField> fields() const override { return kFieldsList; }
  std::size_t error_field() const override { return 2; }
  scp::Annotation annotate(std::string_view value) override {
    ++calls;
    value_ = value;
    scp::Annotation a;
    a.failed = value.empty() || value[0] != '{';
    a.flagged = !a.failed && value.find("bad") != std::string_view::npos;
    return a;
  }
  void values(scp::RowValues& out) override {
    num_ = std::to_string(value_.size());
    out.values.push_back(num_);
    out.ends.push_back(out.values.size());
    std::string_view v = value_;
    while (!v.empty()) {
      const auto sp = v.find(' ');
      out.values.push_back(v.substr(0, sp));
      if (sp == std::string_view::npos) break;
      v.remove_prefix(sp + 1);
    }
    out.ends.push_back(out.values.size());
    if (value_.empty() || value_[0] != '{') out.values.push_back("not an object");
    out.ends.push_back(out.values.size());
  }
  int calls = 0;

 private:
  static constexpr scp::OutputField kFieldsList[] = {
      {"len", false}, {"words", true}, {"err", false}};
  std::string_view value_;
  std::string num_;
};

struct Reply {
  std::string meta;
  std::string body;
};

struct SessionRun {
  int status = -1;
  std::vector<Reply> replies;
  std::string framing_error;  ///< non-empty when the output is not a clean chunk sequence
  std::string err;            ///< stderr
};

std::string slurp(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string s;
  char buf[65536];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
  return s;
}

/// Splits a reply stream into chunks, strictly: canonical headers, exact lengths, no gaps.
std::vector<Reply> split_replies(const std::string& s, std::string& error) {
  std::vector<Reply> out;
  std::size_t pos = 0;
  while (pos < s.size()) {
    const auto nl = s.find('\n', pos);
    if (nl == std::string::npos) {
      error = "header without newline";
      return out;
    }
    auto h = scp::parse_chunk_header(std::string_view(s).substr(pos, nl - pos));
    if (!h) {
      error = h.error().message;
      return out;
    }
    if (nl + 1 + h->meta_len + h->body_len > s.size()) {
      error = "truncated reply";
      return out;
    }
    out.push_back({s.substr(nl + 1, h->meta_len), s.substr(nl + 1 + h->meta_len, h->body_len)});
    pos = nl + 1 + h->meta_len + h->body_len;
  }
  return out;
}

/// Runs a session on `in_fd`, replies and stderr into temporary files.
SessionRun run_session_fd(int in_fd, scp::Annotator& annotator, bool echo) {
  std::FILE* out = std::tmpfile();
  std::FILE* err = std::tmpfile();
  scp::AnnotateCommand command(annotator, echo);
  SessionRun r;
  r.status = scp::run_session(in_fd, fileno(out), command, fileno(err));
  r.replies = split_replies(slurp(out), r.framing_error);
  r.err = slurp(err);
  std::fclose(out);
  std::fclose(err);
  return r;
}

SessionRun run_session_on(const std::string& input, scp::Annotator& annotator, bool echo = false) {
  std::FILE* in = std::tmpfile();
  std::fwrite(input.data(), 1, input.size(), in);
  std::fflush(in);
  std::rewind(in);
  SessionRun r = run_session_fd(fileno(in), annotator, echo);
  std::fclose(in);
  return r;
}

/// The same input through a pipe that delivers one byte per read(2).
SessionRun run_session_dripped(const std::string& input, scp::Annotator& annotator) {
  kubepriv::scp::testing::DripPipe pipe(input);
  return run_session_fd(pipe.read_fd(), annotator, false);
}

bool same_run(const SessionRun& a, const SessionRun& b) {
  if (a.replies.size() != b.replies.size()) return false;
  for (std::size_t i = 0; i < a.replies.size(); ++i) {
    if (a.replies[i].meta != b.replies[i].meta || a.replies[i].body != b.replies[i].body) {
      return false;
    }
  }
  return a.status == b.status && a.err == b.err && a.framing_error == b.framing_error;
}

std::string chunk(std::string_view meta, std::string_view body) {
  std::string s;
  scp::append_chunk_header(s, meta.size(), body.size());
  s.append(meta);
  s.append(body);
  return s;
}

std::string getinfo(const std::string& args_json = "[]") {
  return chunk(R"({"action":"getinfo","preview":false,"searchinfo":{"args":)" + args_json +
                   R"(,"command":"kubepriv"}})",
               "");
}

std::string execute(bool finished, std::string_view body) {
  return chunk(finished ? R"({"action":"execute","finished":true})"
                        : R"({"action":"execute","finished":false})",
               body);
}

constexpr std::string_view kGetinfoOk = R"({"type":"streaming","required_fields":["_raw"]})";

void expect_error_reply(const SessionRun& r, const std::string& needle) {
  EXPECT_EQ(r.status, scp::kExitError);
  ASSERT_TRUE(r.framing_error.empty()) << r.framing_error;
  ASSERT_FALSE(r.replies.empty());
  const Reply& last = r.replies.back();
  EXPECT_NE(last.meta.find(R"("finished":true)"), std::string::npos) << last.meta;
  EXPECT_NE(last.meta.find(R"("error":")"), std::string::npos) << last.meta;
  EXPECT_NE(last.meta.find(needle), std::string::npos) << last.meta;
  EXPECT_TRUE(last.body.empty());
  EXPECT_NE(r.err.find("ERROR kubepriv"), std::string::npos);
}

}  // namespace

TEST(Session, GetinfoOnlyIsASilentSuccess) {
  FakeAnnotator a;
  const SessionRun r = run_session_on(getinfo(), a);
  EXPECT_EQ(r.status, 0);
  ASSERT_EQ(r.replies.size(), 1u);
  EXPECT_EQ(r.replies[0].meta, kGetinfoOk);
  EXPECT_TRUE(r.replies[0].body.empty());
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST(Session, OptionsChooseTheRequiredField) {
  FakeAnnotator a;
  const SessionRun r = run_session_on(getinfo(R"(["field=message","only_flagged=YES"])"), a);
  EXPECT_EQ(r.status, 0);
  ASSERT_EQ(r.replies.size(), 1u);
  EXPECT_EQ(r.replies[0].meta, R"({"type":"streaming","required_fields":["message"]})");
  const SessionRun spaced = run_session_on(getinfo(R"(["field","=","message"])"), a);
  ASSERT_EQ(spaced.replies.size(), 1u);
  EXPECT_EQ(spaced.replies[0].meta, R"({"type":"streaming","required_fields":["message"]})");
}

TEST(Session, BadOptionsFailGetinfo) {
  FakeAnnotator a;
  expect_error_reply(run_session_on(getinfo(R"(["colour=red"])") + execute(true, ""), a),
                     "unknown option 'colour'");
  expect_error_reply(run_session_on(getinfo(R"(["only_flagged=maybe"])"), a), "only_flagged");
  expect_error_reply(run_session_on(getinfo(R"(["_raw"])"), a), "unexpected argument '_raw'");
  expect_error_reply(run_session_on(getinfo(R"(["field="])"), a), "needs a field name");
  expect_error_reply(run_session_on(getinfo(R"(["field=a","field=b"])"), a), "twice");
  // getinfo errors come as the single reply: no execute is answered after them
  const SessionRun r = run_session_on(getinfo(R"(["x=1"])") + execute(true, "_raw\n{}\n"), a);
  EXPECT_EQ(r.replies.size(), 1u);
}

TEST(Session, SelectedFieldsModeAnnotatesAndEchoesChunkedIdx) {
  FakeAnnotator a;
  const std::string body =
      "\"_raw\",\"_chunked_idx\",\"__mv__raw\",\"__mv__chunked_idx\"\n"
      "\"{a b}\",0,,\n"
      "plain,1,,\n"
      "\"{x,\"\"y\"\"}\",2,,\n";
  const SessionRun r = run_session_on(getinfo() + execute(true, body), a);
  EXPECT_EQ(r.status, 0);
  ASSERT_TRUE(r.framing_error.empty()) << r.framing_error;
  ASSERT_EQ(r.replies.size(), 2u);
  EXPECT_EQ(r.replies[1].meta, R"({"finished":true})");
  EXPECT_EQ(r.replies[1].body,
            "_chunked_idx,len,words,__mv_words,err\n"
            "0,5,\"{a\nb}\",${a$;$b}$,\n"
            "1,,,,not an object\n"
            "2,7,\"{x,\"\"y\"\"}\",,\n");
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST(Session, EndOfStreamFormsAndEmptyChunksGetOneReplyEach) {
  FakeAnnotator a;
  const std::string hdr = "_raw,_chunked_idx,__mv__raw,__mv__chunked_idx\n";
  // (a) one data chunk with finished:true
  SessionRun r = run_session_on(getinfo() + execute(true, hdr + "{},0,,\n"), a);
  EXPECT_EQ(r.status, 0);
  ASSERT_EQ(r.replies.size(), 2u);
  EXPECT_EQ(r.replies[1].meta, R"({"finished":true})");
  // (b) data chunks finished:false, then a header-only chunk finished:true
  // (c) header-only and 0-byte chunks finished:false in the middle
  r = run_session_on(getinfo() + execute(false, hdr + "{},0,,\n") + execute(false, hdr) +
                         execute(false, "") + execute(false, hdr + "{q},0,,\n{r},1,,\n") +
                         execute(true, hdr),
                     a);
  EXPECT_EQ(r.status, 0);
  ASSERT_TRUE(r.framing_error.empty());
  ASSERT_EQ(r.replies.size(), 6u);
  EXPECT_EQ(r.replies[1].meta, R"({"finished":false})");
  EXPECT_EQ(r.replies[2].meta, R"({"finished":false})");
  EXPECT_EQ(r.replies[2].body, "");
  EXPECT_EQ(r.replies[3].body, "");
  EXPECT_EQ(r.replies[4].body, "_chunked_idx,len,words,__mv_words,err\n0,3,{q},,\n1,3,{r},,\n");
  EXPECT_EQ(r.replies[5].meta, R"({"finished":true})");
  EXPECT_EQ(r.replies[5].body, "");
  // Requests after finished:true are still answered, and stdin is read to EOF.
  r = run_session_on(getinfo() + execute(true, "") + "\n" + execute(true, ""), a);
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.replies.size(), 3u);
  EXPECT_TRUE(r.err.empty());
}

TEST(Session, CrlfBodiesAndStrayNewlines) {
  FakeAnnotator a;
  const SessionRun r = run_session_on(
      getinfo() + "\n" +
          execute(true, "\"_raw\",\"_chunked_idx\"\r\n\"{multi\r\nline}\",0\r\n{z},1\r\n"),
      a);
  EXPECT_EQ(r.status, 0);
  ASSERT_EQ(r.replies.size(), 2u);
  EXPECT_EQ(r.replies[1].body,
            "_chunked_idx,len,words,__mv_words,err\n0,13,\"{multi\r\nline}\",,\n1,3,{z},,\n");
}

TEST(Session, OnlyFlaggedDropsUnflaggedAndFailedEvents) {
  FakeAnnotator a;
  const std::string body = "_chunked_idx,_raw\n0,{ok}\n1,{bad}\n2,nope\n3,{bad too}\n";
  SessionRun r = run_session_on(getinfo(R"(["only_flagged=t"])") + execute(false, body) +
                                    execute(true, "_chunked_idx,_raw\n0,{fine}\n"),
                                a);
  EXPECT_EQ(r.status, 0);
  ASSERT_EQ(r.replies.size(), 3u);
  EXPECT_EQ(
      r.replies[1].body,
      "_chunked_idx,len,words,__mv_words,err\n1,5,{bad},,\n3,9,\"{bad\ntoo}\",${bad$;$too}$,\n");
  EXPECT_EQ(r.replies[2].body, "");  // nothing kept: a 0-byte body, still one reply
  EXPECT_EQ(r.replies[2].meta, R"({"finished":true})");
  // annotate mode (default) keeps every event
  r = run_session_on(getinfo() + execute(true, body), a);
  ASSERT_EQ(r.replies.size(), 2u);
  // header + 4 rows + the newline inside the joined words of "{bad too}"
  EXPECT_EQ(std::count(r.replies[1].body.begin(), r.replies[1].body.end(), '\n'), 6);
  EXPECT_NE(r.replies[1].body.find("\n2,,,,not an object\n"), std::string::npos);
}

TEST(Session, MultivalueInputColumn) {
  FakeAnnotator a;
  const std::string body =
      "_raw,_chunked_idx,__mv__raw,__mv__chunked_idx\n"
      "\"flattened, ignored\",0,\"${single$$}$\",\n"  // twin is authoritative
      "ab,1,$x$;$y$,\n"                               // several values: not one event
      ",2,,\n";                                       // empty value
  const SessionRun r = run_session_on(getinfo() + execute(true, body), a);
  EXPECT_EQ(r.status, 0);
  ASSERT_EQ(r.replies.size(), 2u);
  EXPECT_EQ(r.replies[1].body,
            "_chunked_idx,len,words,__mv_words,err\n"
            "0,9,{single$},,\n"
            "1,,,,field _raw has 2 values; expected one event\n"
            "2,,,,field _raw is empty\n");
  const SessionRun bad = run_session_on(getinfo() + execute(true, "_raw,__mv__raw\nx,$oops\n"), a);
  expect_error_reply(bad, "__mv__raw");
}

// The reply cells are written by a cursor (csv_write_field, the twin written straight into the
// reply): every cell must be what the encoders csv_append_field and mv_append_encoded give, for
// values with CSV's special bytes, multivalue's `$`, both, long and short, one and several.
TEST(Session, ReplyCellsMatchTheEncoders) {
  FakeAnnotator a;
  const std::vector<std::string> raws = {
      "{a$b \"q\" c,d",  // quotes, a comma and a `$`: the twin is quoted and doubles both
      "{x$y z$$",        // `$` only: an unquoted twin with `$$`
      "{one-value-longer-than-sixteen-bytes,with-a-comma",
      "{plain-value-longer-than-sixteen-bytes-and-no-special-byte",
      "{cr\rlf\n two",
      "{",
  };
  std::string body = "_raw,_chunked_idx\n";
  std::string want = "_chunked_idx,len,words,__mv_words,err\n";
  for (std::size_t i = 0; i < raws.size(); ++i) {
    scp::csv_append_field(body, raws[i]);
    body += "," + std::to_string(i) + "\n";
    std::vector<std::string_view> words;
    std::string_view v = raws[i];
    while (!v.empty()) {
      const auto sp = v.find(' ');
      words.push_back(v.substr(0, sp));
      if (sp == std::string_view::npos) break;
      v.remove_prefix(sp + 1);
    }
    want += std::to_string(i) + "," + std::to_string(raws[i].size()) + ",";
    if (words.size() == 1) {
      scp::csv_append_field(want, words[0]);
      want += ",";
    } else {
      std::string joined;
      scp::mv_append_joined(joined, words);
      scp::csv_append_field(want, joined);
      std::string encoded;
      scp::mv_append_encoded(encoded, words);
      want += ",";
      scp::csv_append_field(want, encoded);
    }
    want += ",\n";
  }
  const SessionRun r = run_session_on(getinfo() + execute(true, body), a);
  EXPECT_EQ(r.status, 0);
  ASSERT_EQ(r.replies.size(), 2u);
  EXPECT_EQ(r.replies[1].body, want);
}

TEST(Session, FullRecordModeEchoesEverythingAndKeepsCollidingFieldsOnFailures) {
  FakeAnnotator a;
  const std::string body =
      "\"_time\",\"_raw\",len,host,\"__mv__time\",\"__mv__raw\",\"__mv_len\",\"__mv_host\"\n"
      "1,\"{a}\",old,h1,,,,\n"
      "2,\"not json\",keep,\"日本\",,,\"$keep$;$me$\",\n";
  const SessionRun r = run_session_on(getinfo() + execute(true, body), a);
  EXPECT_EQ(r.status, 0);
  ASSERT_EQ(r.replies.size(), 2u);
  EXPECT_EQ(r.replies[1].body,
            "_time,_raw,host,__mv__time,__mv__raw,__mv_host,len,__mv_len,words,__mv_words,err,"
            "__mv_err\n"
            "1,{a},h1,,,,3,,{a},,,\n"
            "2,not json,日本,,,,keep,$keep$;$me$,,,not an object,\n");
}

TEST(Session, EchoFieldOptionRepeatsTheJudgedColumn) {
  FakeAnnotator a;
  const SessionRun r = run_session_on(
      getinfo() + execute(true, "_raw,_chunked_idx,__mv__raw\n\"{a,b}\",0,\n"), a, true);
  ASSERT_EQ(r.replies.size(), 2u);
  EXPECT_EQ(r.replies[1].body,
            "_chunked_idx,_raw,__mv__raw,len,words,__mv_words,err\n0,\"{a,b}\",,5,\"{a,b}\",,\n");
}

TEST(Session, MissingFieldColumnIsAClearError) {
  FakeAnnotator a;
  const SessionRun r = run_session_on(
      getinfo(R"(["field=message"])") + execute(true, "_raw,_chunked_idx\n{},0\n"), a);
  expect_error_reply(r, "no field 'message'");
  ASSERT_EQ(r.replies.size(), 2u);
}

TEST(Session, MalformedInputGetsAnErrorReplyAndNonZeroExit) {
  FakeAnnotator a;
  const std::string ok_body = "_raw,_chunked_idx\n{},0\n";
  expect_error_reply(run_session_on(chunk("not json", ""), a), "not valid JSON");
  expect_error_reply(run_session_on(chunk("[1]", ""), a), "not a JSON object");
  expect_error_reply(run_session_on(execute(true, ok_body), a), "expected a getinfo");
  expect_error_reply(run_session_on(chunk(R"({"action":"getinfo"})", "x"), a), "unexpected body");
  expect_error_reply(run_session_on(getinfo() + chunk("nope", ok_body), a), "not valid JSON");
  expect_error_reply(run_session_on(getinfo() + chunk("7", ok_body), a), "not a JSON object");
  expect_error_reply(run_session_on(getinfo() + getinfo(), a), "expected an execute");
  expect_error_reply(run_session_on(getinfo() + execute(true, "_raw\n\"open\n"), a),
                     "never closed");
  expect_error_reply(run_session_on(getinfo() + execute(true, "_raw,_chunked_idx\n{},0,9\n"), a),
                     "has 3 fields, the header has 2");
  expect_error_reply(run_session_on(getinfo() + "chunked 1.0,37,500\n{\"action\"", a),
                     "end of input inside a chunk");
  expect_error_reply(run_session_on(getinfo() + "chunked 1.0,abc,0\n", a), "bad chunk header");
  expect_error_reply(run_session_on(getinfo() + "chunked 1.0,5,99999999999999\n", a),
                     "bad chunk header");
  // lengths that do not match the content: metadata runs into the body
  expect_error_reply(
      run_session_on(
          getinfo() + "chunked 1.0,40,5\n" + R"({"action":"execute","finished":true}abcde)", a),
      "");
  // an empty stdin: no reply possible, still a non-zero exit and a last word on stderr
  const SessionRun empty = run_session_on("", a);
  EXPECT_EQ(empty.status, scp::kExitError);
  EXPECT_TRUE(empty.replies.empty());
  EXPECT_NE(empty.err.find("no getinfo"), std::string::npos);
}

// Request bodies stream through a small window: the replies must not depend on how the bytes
// arrive, down to one byte per read(2), for every shape of request (twins, empty and header-only
// chunks, finished flags, CRLF, stray newlines, records longer than the window) and every error.
TEST(Session, OneBytePerReadGivesTheSameReplies) {
  FakeAnnotator a;
  const std::string hdr = "\"_raw\",\"_chunked_idx\",\"__mv__raw\",\"__mv__chunked_idx\"\n";
  std::string big = "{";
  for (int i = 0; i < 60; ++i) big += "\"\"k" + std::to_string(i) + "\"\":\"\"v\"\",";
  big += "\"\"bad\"\":1}";
  const std::string rows = "\"" + big + "\",0,,\n\"{a b}\",1,,\nplain,2,,\n" +
                           "\"flattened\",3,\"${one$$}$\",\n" + "ab,4,$x$;$y$,\n,5,,\n";
  const std::vector<std::string> inputs = {
      getinfo() + execute(false, hdr + rows) + execute(false, hdr) + execute(false, "") + "\n" +
          execute(false, "\"_raw\",\"_chunked_idx\"\r\n\"{multi\r\nline}\",0\r\n{z},1\r\n") +
          execute(true, hdr + rows),
      getinfo(R"(["only_flagged=t"])") + execute(true, hdr + rows),
      getinfo() + execute(true, "_raw\n\"open\n"),
      getinfo() + execute(true, "_raw,_chunked_idx\n{},0,9\n"),
      getinfo() + execute(true, "x,y\n1,2\n"),
      getinfo() + execute(false, hdr + rows) + execute(true, hdr + rows).substr(0, 200),
  };
  for (const std::string& in : inputs) {
    const SessionRun whole = run_session_on(in, a);
    const SessionRun dripped = run_session_dripped(in, a);
    EXPECT_TRUE(same_run(whole, dripped)) << in.substr(0, 80) << "\n" << whole.err << dripped.err;
  }
  // One event larger than the window (256 KiB), split over many reads.
  const std::string huge = R"({"bad":")" + std::string(600000, 'x') + R"("})";
  std::string cell;
  scp::csv_append_field(cell, huge);
  const SessionRun r = run_session_on(getinfo() + execute(true, hdr + cell + ",0,,\n"), a);
  ASSERT_EQ(r.replies.size(), 2u);
  const std::string want = "_chunked_idx,len,words,__mv_words,err\n0," +
                           std::to_string(huge.size()) + "," + cell + ",,\n";
  EXPECT_TRUE(r.replies[1].body == want) << r.replies[1].body.substr(0, 100);
}

// The reply buffer lives across chunks and is never cleared byte by byte: a chunk's reply must
// be what the same chunk gets in a fresh session, after bigger and smaller replies (the big ones
// past 2 MiB, where the buffer switches to huge pages), after header-only chunks and failures.
TEST(Session, ReplyDoesNotDependOnEarlierChunks) {
  FakeAnnotator a;
  const std::string hdr = "_raw,_chunked_idx,__mv__raw,__mv__chunked_idx\n";
  auto rows = [&](int n, const std::string& word) {
    std::string body = hdr;
    for (int i = 0; i < n; ++i) {
      body += "\"{" + word + " " + std::to_string(i) + " \"\"q\"\" w,x}\"," + std::to_string(i) +
              ",,\n";
      if (i % 7 == 3) body += "plain" + std::to_string(i) + "," + std::to_string(i) + ",,\n";
    }
    return body;
  };
  const std::vector<std::string> bodies = {
      rows(30000, "first"), rows(3, "small"),    hdr, rows(45000, "bigger-words-here"),
      rows(1, "one"),       rows(20000, "again")};
  std::string all = getinfo();
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    all += execute(i + 1 == bodies.size(), bodies[i]);
  }
  const SessionRun together = run_session_on(all, a);
  ASSERT_EQ(together.status, scp::kExitOk) << together.err;
  ASSERT_EQ(together.replies.size(), bodies.size() + 1);
  EXPECT_GT(together.replies[4].body.size(), std::size_t{2} << 20);  // past the huge-page size
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    const SessionRun alone = run_session_on(getinfo() + execute(true, bodies[i]), a);
    ASSERT_EQ(alone.replies.size(), 2u);
    EXPECT_TRUE(alone.replies[1].body == together.replies[i + 1].body) << "chunk " << i;
  }
}

// A chunk that is cut short is reported as such, whatever else is wrong with it: the other
// errors are only found while its body streams in, and the truncation must still win.
TEST(Session, TruncationWinsOverErrorsFoundEarlierInTheChunk) {
  FakeAnnotator a;
  const std::string cut = "chunked 1.0,37,500\n";
  for (const std::string& start :
       {std::string("nope") + std::string(33, ' ') + "x,y\n1,2\n",
        std::string(R"({"action":"getinfo","finished":true})") + "a\n",
        std::string(R"({"action":"execute","finished":true})") + "x,y\n1,2\n",
        std::string(R"({"action":"execute","finished":true})") + "_raw\nab\"c\n"}) {
    expect_error_reply(run_session_on(getinfo() + cut + start, a), "end of input inside a chunk");
  }
}
