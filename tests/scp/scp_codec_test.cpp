// Unit tests of the SCP v2 codecs: chunk framing, CSV, multivalue, metadata, options.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "drip_pipe.hpp"
#include "kubepriv/scp/chunk.hpp"
#include "kubepriv/scp/csv.hpp"
#include "kubepriv/scp/metadata.hpp"
#include "kubepriv/scp/multivalue.hpp"
#include "kubepriv/scp/options.hpp"
#include "kubepriv/scp/reply_buffer.hpp"

namespace scp = kubepriv::scp;

namespace {

/// A pipe whose write end is fed from a thread in small pieces (to exercise partial reads).
class Pipe {
 public:
  Pipe() {
    int fds[2];
    EXPECT_EQ(::pipe(fds), 0);
    r_ = fds[0];
    w_ = fds[1];
  }
  ~Pipe() {
    if (writer_.joinable()) writer_.join();
    ::close(r_);
  }
  int read_fd() const { return r_; }
  /// Writes `data` in pieces of `piece` bytes on a thread, then closes the write end.
  void feed(std::string data, std::size_t piece) {
    writer_ = std::thread([this, d = std::move(data), piece] {
      std::size_t off = 0;
      while (off < d.size()) {
        const std::size_t n = std::min(piece, d.size() - off);
        const ssize_t put = ::write(w_, d.data() + off, n);
        if (put <= 0) break;
        off += static_cast<std::size_t>(put);
      }
      ::close(w_);
    });
  }

 private:
  int r_ = -1;
  int w_ = -1;
  std::thread writer_;
};

std::string chunk(std::string_view meta, std::string_view body) {
  std::string s;
  scp::append_chunk_header(s, meta.size(), body.size());
  s.append(meta);
  s.append(body);
  return s;
}

/// Every record of `r` flattened ("a|b"), then "<error>" if reading failed (`error` says why).
std::vector<std::string> read_records(scp::CsvReader& r, std::string* error = nullptr) {
  std::vector<std::string> flat;
  std::vector<std::string_view> f;
  for (;;) {
    auto more = r.next(f);
    if (!more) {
      if (error != nullptr) *error = more.error().message;
      flat.push_back("<error>");
      return flat;
    }
    if (!*more) return flat;
    std::string rec;
    for (std::size_t i = 0; i < f.size(); ++i) {
      if (i) rec += '|';
      rec.append(f[i]);
    }
    flat.push_back(rec);
  }
}

std::vector<std::string> read_all_records(std::string body, std::string* error = nullptr) {
  scp::CsvReader r(body);
  return read_records(r, error);
}

}  // namespace

// ---------------------------------------------------------------- chunk header

TEST(ChunkHeader, ParsesCanonical) {
  auto h = scp::parse_chunk_header("chunked 1.0,36,48108");
  ASSERT_TRUE(h) << h.error().message;
  EXPECT_EQ(h->meta_len, 36u);
  EXPECT_EQ(h->body_len, 48108u);
  auto z = scp::parse_chunk_header("chunked 1.0,17,0");
  ASSERT_TRUE(z);
  EXPECT_EQ(z->body_len, 0u);
}

TEST(ChunkHeader, RejectsNonCanonicalAndAbsurd) {
  for (const char* bad : {"chunked 1.0,a,1",
                          "chunked 1.0,-1,0",
                          "chunked 1.0,+1,0",
                          "chunked 1.0, 1,0",
                          "chunked 1.0,1,",
                          "chunked 1.0,,1",
                          "chunked 1.0,1",
                          "chunked 1.1,1,1",
                          "chunked 2.0,1,1",
                          "CHUNKED 1.0,1,1",
                          "chunked 1x0,1,1",
                          "chunked 1.0,1,1,1",
                          "chunked 1.0,1,1 ",
                          "chunked 1.0,1,1\r",
                          "chunked 1.0,99999999999999999999,0",  // overflow
                          "chunked 1.0,18446744073709551617,0",  // > 2^64
                          "chunked 1.0,1,9999999999999",         // absurd body
                          "chunked 1.0,999999999,0",             // absurd metadata
                          "",
                          "hello"}) {
    EXPECT_FALSE(scp::parse_chunk_header(bad)) << bad;
  }
  EXPECT_TRUE(scp::parse_chunk_header("chunked 1.0,1,2147483648"));   // exactly the limit
  EXPECT_FALSE(scp::parse_chunk_header("chunked 1.0,1,2147483649"));  // one above
}

TEST(ChunkHeader, AppendIsCanonical) {
  std::string s = "x";
  scp::append_chunk_header(s, 0, 1234567890123);
  EXPECT_EQ(s, "xchunked 1.0,0,1234567890123\n");
}

// ---------------------------------------------------------------- chunk reader

TEST(ChunkReader, ReadsChunksAcrossPartialReadsAndStrayNewlines) {
  for (std::size_t piece : {1u, 7u, 4096u, 1u << 20}) {
    // 300 KB is bigger than the reader's first buffer; byte-by-byte uses a smaller body.
    const std::string body(piece == 1 ? 5000 : 300000, 'x');
    const std::string stream =
        "\n" + chunk(R"({"a":1})", "") + "\n\n" + chunk(R"({"b":2})", body) + chunk("{}", "tail");
    Pipe p;
    p.feed(stream, piece);
    scp::ChunkReader r(p.read_fd());
    auto c1 = r.next();
    ASSERT_TRUE(c1 && *c1) << piece;
    EXPECT_EQ((*c1)->meta, R"({"a":1})");
    EXPECT_TRUE((*c1)->body.empty());
    auto c2 = r.next();
    ASSERT_TRUE(c2 && *c2) << piece;
    EXPECT_EQ((*c2)->meta, R"({"b":2})");
    EXPECT_EQ(std::string((*c2)->body.data(), (*c2)->body.size()), body);
    auto c3 = r.next();
    ASSERT_TRUE(c3 && *c3);
    EXPECT_EQ(std::string_view((*c3)->body.data(), (*c3)->body.size()), "tail");
    auto eof = r.next();
    ASSERT_TRUE(eof);
    EXPECT_FALSE(*eof);
  }
}

TEST(ChunkReader, MetadataAndBodyAreExactByteCounts) {
  // No separator after the metadata or body: the next header starts right after.
  const std::string s = chunk("{\"é\":1}", "a,b\r\nc,d\r\n") + chunk("{}", "");
  Pipe p;
  p.feed(s, 3);
  scp::ChunkReader r(p.read_fd());
  auto c = r.next();
  ASSERT_TRUE(c && *c);
  EXPECT_EQ((*c)->meta, "{\"é\":1}");
  EXPECT_EQ((*c)->body.size(), 10u);
  auto d = r.next();
  ASSERT_TRUE(d && *d);
  EXPECT_EQ((*d)->meta, "{}");
}

TEST(ChunkReader, ErrorsOnTruncationAndGarbage) {
  struct Case {
    std::string input;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {"chunked 1.0,10,5\n{}", "end of input inside a chunk"},
      {"chunked 1.0,2,5\n{}abc", "only 5 of those 7 bytes arrived"},
      {"chunked 1.0,2", "end of input inside a chunk header"},
      {"chunked 1.0,x,0\n", "metadata length"},
      {"chunked 1.0,1,-5\n", "body length"},
      {"GET / HTTP/1.1\r\n", "bad chunk header"},
      {std::string(200, 'z'), "no newline"},
      {"chunked 1.0,2,0\n{}junk", "bad chunk header"},
  };
  for (const auto& c : cases) {
    Pipe p;
    p.feed(c.input, 5);
    scp::ChunkReader r(p.read_fd());
    for (int i = 0; i < 3; ++i) {
      auto got = r.next();
      if (!got) {
        EXPECT_NE(got.error().message.find(c.expect), std::string::npos)
            << c.input.substr(0, 30) << " -> " << got.error().message;
        break;
      }
      ASSERT_TRUE(*got) << "clean EOF instead of an error for: " << c.input.substr(0, 30);
    }
  }
}

TEST(ChunkWriter, WritesHeaderMetaBody) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ASSERT_TRUE(scp::write_chunk(fds[1], R"({"finished":true})", "a\n"));
  ::close(fds[1]);
  char buf[128];
  const ssize_t n = ::read(fds[0], buf, sizeof buf);
  ::close(fds[0]);
  EXPECT_EQ(std::string(buf, static_cast<std::size_t>(n)),
            "chunked 1.0,17,2\n{\"finished\":true}a\n");
}

TEST(ChunkWriter, LargeBodyRoundTripsThroughReader) {
  std::string body;
  for (int i = 0; i < 200000; ++i) body += std::to_string(i) + ",\n";
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::thread t([&] {
    EXPECT_TRUE(scp::write_chunk(fds[1], "{}", body));
    ::close(fds[1]);
  });
  scp::ChunkReader r(fds[0]);
  auto c = r.next();
  t.join();
  ::close(fds[0]);
  ASSERT_TRUE(c && *c);
  EXPECT_EQ(std::string((*c)->body.data(), (*c)->body.size()), body);
}

// The reader's buffer grows in place (mremap) over many doublings, past the size where it is
// offered to huge pages, and is reused by later chunks: every byte must survive each move, also
// the bytes of the next chunk already read behind the current one.
TEST(ChunkReader, GrowsPastHugePagesAndKeepsEveryByteAcrossChunks) {
  auto pattern = [](std::size_t n, unsigned seed) {
    std::string b(n, '\0');
    for (std::size_t i = 0; i < n; ++i)
      b[i] = static_cast<char>((i * 131 + seed + (i >> 12)) & 0xFF);
    return b;
  };
  const std::string big = pattern(std::size_t{20} << 20, 1);
  const std::string small = pattern(1000, 2);
  const std::string bigger = pattern((std::size_t{33} << 20) + 17, 3);
  const std::string stream = chunk("{}", big) + chunk("{}", small) + chunk("{}", bigger);
  Pipe p;
  p.feed(stream, std::size_t{1} << 16);
  scp::ChunkReader r(p.read_fd());
  for (const std::string* want : {&big, &small, &bigger}) {
    auto c = r.next();
    ASSERT_TRUE(c && *c);
    ASSERT_EQ((*c)->body.size(), want->size());
    EXPECT_TRUE(std::memcmp((*c)->body.data(), want->data(), want->size()) == 0);
  }
  auto eof = r.next();
  ASSERT_TRUE(eof);
  EXPECT_FALSE(*eof);
}

// ---------------------------------------------------------------- ReplyBuffer

// The reply buffer is never zero-filled and lives across chunks: whatever a bigger reply left in
// it, a later smaller one must be exactly its own bytes; growth (also past 2 MiB, where storage
// comes in whole huge pages) keeps every byte written; clear() keeps the storage.
TEST(ReplyBuffer, KeepsEveryByteAcrossGrowthAndReuse) {
  auto pattern = [](std::size_t n, unsigned seed) {
    std::string b(n, '\0');
    for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<char>((i * 131 + seed) & 0xFF);
    return b;
  };
  scp::ReplyBuffer out;
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(out.view(), "");
  // Written in pieces of odd sizes through room()/commit() and append(), growing many times.
  const std::string big = pattern((std::size_t{5} << 20) + 3, 1);
  for (std::size_t at = 0, step = 1; at < big.size(); at += step, step = step * 3 % 70001 + 1) {
    const std::string_view piece = std::string_view(big).substr(at, step);
    if (step % 2 == 0) {
      out.append(piece);
    } else {
      char* p = out.room(piece.size() + 16);  // more room than used, as the cell writers ask
      std::memcpy(p, piece.data(), piece.size());
      out.commit(p + piece.size());
    }
  }
  ASSERT_EQ(out.size(), big.size());
  EXPECT_TRUE(out.view() == big);
  const std::size_t capacity = out.capacity();
  EXPECT_GE(capacity, big.size());
  // Reused: a smaller reply is exactly its bytes, without growing or leftovers.
  out.clear();
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(out.capacity(), capacity);
  const std::string small = pattern(1000, 2);
  out.append(small);
  EXPECT_TRUE(out.view() == small);
  EXPECT_EQ(out.capacity(), capacity);
  // reserve() makes room in all, keeping what was written.
  out.reserve(capacity + 1);
  EXPECT_GE(out.capacity(), capacity + 1);
  EXPECT_TRUE(out.view() == small);
  out.append("");
  EXPECT_TRUE(out.view() == small);
}

// ---------------------------------------------------------------- CSV

TEST(Csv, SplunkdStyleQuotingLfAndCrlf) {
  EXPECT_EQ(read_all_records("\"_raw\",\"_chunked_idx\",a\n\"x,y\",0,bare\n"),
            (std::vector<std::string>{"_raw|_chunked_idx|a", "x,y|0|bare"}));
  EXPECT_EQ(read_all_records("a,b\r\n1,2\r\n\"3\",\"\"\r\n"),
            (std::vector<std::string>{"a|b", "1|2", "3|"}));
}

TEST(Csv, DoubledQuotesAndEmbeddedNewlinesAreData) {
  EXPECT_EQ(read_all_records("v\n\"say \"\"hi\"\"\"\n\"line1\nline2\r\nline3\"\n\"\"\"\"\n"),
            (std::vector<std::string>{"v", "say \"hi\"", "line1\nline2\r\nline3", "\""}));
  // JSON in a cell, as _raw arrives.
  EXPECT_EQ(read_all_records("\"{\"\"kind\"\":\"\"Event\"\",\"\"a\"\":[1,2]}\",1\n"),
            (std::vector<std::string>{"{\"kind\":\"Event\",\"a\":[1,2]}|1"}));
}

TEST(Csv, EmptyFieldsAndLastRecordWithoutTerminator) {
  EXPECT_EQ(read_all_records(",,\n,x,\na,b,c"), (std::vector<std::string>{"||", "|x|", "a|b|c"}));
  EXPECT_EQ(read_all_records("a\n\n"), (std::vector<std::string>{"a", ""}));
  EXPECT_TRUE(read_all_records("").empty());
}

TEST(Csv, Utf8PassesThrough) {
  const std::string s = "t\n\"日本語 🚀 العربية\",\xc3\xa9\n";
  EXPECT_EQ(read_all_records(s), (std::vector<std::string>{"t", "日本語 🚀 العربية|\xc3\xa9"}));
}

TEST(Csv, BrokenInputIsAnErrorNotACrash) {
  std::string err;
  EXPECT_EQ(read_all_records("a\n\"never closed\n", &err).back(), "<error>");
  EXPECT_NE(err.find("never closed"), std::string::npos);
  EXPECT_EQ(read_all_records("a\n\"x\"y\n", &err).back(), "<error>");
  EXPECT_NE(err.find("after a closing quote"), std::string::npos);
  EXPECT_EQ(read_all_records("a\nx\"y\n", &err).back(), "<error>");
  EXPECT_EQ(read_all_records("a\nx\ry\n", &err).back(), "<error>");
  EXPECT_EQ(read_all_records("\"", &err).back(), "<error>");
  EXPECT_NE(err.find("record 1"), std::string::npos);
}

TEST(Csv, FirstOccurrenceOfARepeatedNameWins) {
  const std::vector<std::string_view> names = {"a", "_raw", "b", "_raw"};
  EXPECT_EQ(scp::find_column(names, "_raw"), 1u);
  EXPECT_EQ(scp::find_column(names, "zz"), names.size());
}

// csv_needs_quotes works 16 bytes at a time (the last step overlapping, short values in one
// load when that cannot cross a page): every length, every position of the special byte, values
// ending right at a page end (where an over-read would fault) and special bytes just past the end.
// csv_write_field (the reply's hot path) checks and copies in the same steps: it must write what
// csv_append_field appends and stay inside csv_field_bound's room (pre-filled with a non-zero
// marker that the bytes past the room must keep).
TEST(Csv, NeedsQuotesAndWriteFieldAtEveryLengthAndPositionAndAtPageEnds) {
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  // Two pages, the second inaccessible: reading one byte past the first page faults.
  void* mem = ::mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(mem, MAP_FAILED);
  ASSERT_EQ(::mprotect(static_cast<char*>(mem) + page, page, PROT_NONE), 0);
  char* const base = static_cast<char*>(mem);
  std::memset(base, ',', page);  // special bytes all around the values
  std::string room;
  auto check_write = [&](std::string_view v, bool quoted, const std::string& what) {
    std::string want;
    scp::csv_append_field(want, v);
    EXPECT_EQ(!want.empty() && want.front() == '"', quoted) << what;
    const std::size_t bound = scp::csv_field_bound(v.size());
    room.assign(bound + 32, '\xAA');
    const char* const end = scp::csv_write_field(room.data(), v);
    ASSERT_EQ(std::string_view(room.data(), static_cast<std::size_t>(end - room.data())), want)
        << what;
    EXPECT_EQ(room.substr(bound), std::string(32, '\xAA')) << what << ": wrote past its room";
  };
  for (const char special : {',', '"', '\n', '\r'}) {
    for (std::size_t n = 0; n <= 70; ++n) {
      // Ending at the page end, and at a few offsets inside the page.
      for (const std::size_t end_off :
           {static_cast<std::size_t>(page), std::size_t{100}, std::size_t{71}}) {
        if (end_off < n) continue;
        char* const v = base + end_off - n;
        for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<char>('a' + i % 26);
        const std::string at = "n=" + std::to_string(n) + " end=" + std::to_string(end_off);
        EXPECT_FALSE(scp::csv_needs_quotes({v, n})) << at;
        check_write({v, n}, false, at);
        for (std::size_t i = 0; i < n; ++i) {
          const char keep = v[i];
          v[i] = special;
          EXPECT_TRUE(scp::csv_needs_quotes({v, n})) << at << " at " << i;
          check_write({v, n}, true, at + " at " + std::to_string(i));
          v[i] = keep;
        }
        std::memset(v, ',', n);
      }
    }
  }
  ::munmap(mem, 2 * page);
}

TEST(Csv, EncoderQuotesOnlyWhenNeededAndRoundTrips) {
  std::string out;
  scp::csv_append_field(out, "plain value é");
  EXPECT_EQ(out, "plain value é");
  const std::vector<std::string> values = {"", "a,b", "q\"q", "line\nbreak", "cr\r", "\"\"", "x"};
  std::string line;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) line += ',';
    scp::csv_append_field(line, values[i]);
  }
  line += "\r\n";
  std::string copy = line;
  scp::CsvReader r(copy);
  std::vector<std::string_view> f;
  auto ok = r.next(f);
  ASSERT_TRUE(ok && *ok);
  ASSERT_EQ(f.size(), values.size());
  for (std::size_t i = 0; i < values.size(); ++i) EXPECT_EQ(f[i], values[i]);
  EXPECT_TRUE(r.at_end());
}

// ---------------------------------------------------------------- multivalue

TEST(Multivalue, DecodesSplunkEncoding) {
  std::string s = "$a$;$b$$c$;$$;$$$$$$";
  std::vector<std::string_view> v;
  ASSERT_TRUE(scp::mv_decode(s, v));
  EXPECT_EQ(v, (std::vector<std::string_view>{"a", "b$c", "", "$$"}));
  std::string one = "$only$";
  ASSERT_TRUE(scp::mv_decode(one, v));
  EXPECT_EQ(v, (std::vector<std::string_view>{"only"}));
}

TEST(Multivalue, RejectsMalformed) {
  for (std::string bad : {"a", "$a", "$a$b$", "$a$;", "$a$,$b$", ";$a$", "$"}) {
    std::vector<std::string_view> v;
    EXPECT_FALSE(scp::mv_decode(bad, v)) << bad;
  }
}

TEST(Multivalue, EncodeDecodeRoundTrip) {
  const std::vector<std::string_view> vals = {"x", "$", "", "a$$b", "日本;$;"};
  std::string enc;
  scp::mv_append_encoded(enc, vals);
  EXPECT_EQ(enc, "$x$;$$$$;$$;$a$$$$b$;$日本;$$;$");
  std::vector<std::string_view> back;
  ASSERT_TRUE(scp::mv_decode(enc, back));
  EXPECT_EQ(back, vals);
  std::string joined;
  scp::mv_append_joined(joined, vals);
  EXPECT_EQ(joined, "x\n$\n\na$$b\n日本;$;");
}

// ---------------------------------------------------------------- metadata, options

TEST(Metadata, ParsesGetinfoAndExecute) {
  auto g = scp::parse_request_metadata(
      R"({"action": "getinfo", "preview": false, "searchinfo": {"args": ["field=msg", "only_flagged=t"], "command": "kubepriv", "earliest_time": "0"}})");
  ASSERT_TRUE(g) << g.error().message;
  EXPECT_EQ(g->action, "getinfo");
  EXPECT_EQ(g->args, (std::vector<std::string>{"field=msg", "only_flagged=t"}));
  EXPECT_EQ(g->command, "kubepriv");
  auto e = scp::parse_request_metadata(R"({"action":"execute","finished":true})");
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->finished);
  auto f = scp::parse_request_metadata(R"({"action":"execute"})");
  ASSERT_TRUE(f);
  EXPECT_FALSE(f->finished);
}

TEST(Metadata, RejectsNonObjectsAndWrongTypes) {
  for (const char* bad :
       {"", "not json", "[1,2]", "\"s\"", "{\"action\":1}", "{}",
        R"({"action":"execute","finished":"yes"})", R"({"action":"getinfo","searchinfo":[]})",
        R"({"action":"getinfo","searchinfo":{"args":"field=x"}})",
        R"({"action":"getinfo","searchinfo":{"args":[1]}})", "{\"action\":\"x\"", "\xff\xfe"}) {
    EXPECT_FALSE(scp::parse_request_metadata(bad)) << bad;
  }
}

TEST(Metadata, RepliesAreCompactJson) {
  EXPECT_EQ(scp::getinfo_reply_metadata("streaming", {"_raw"}),
            R"({"type":"streaming","required_fields":["_raw"]})");
  EXPECT_EQ(scp::error_reply_metadata("bad \"x\"\n"), R"({"finished":true,"error":"bad \"x\"\n"})");
  // invalid UTF-8 in a message must not throw
  EXPECT_NE(scp::error_reply_metadata("\xff").find("error"), std::string::npos);
  EXPECT_EQ(scp::finished_metadata(false), R"({"finished":false})");
}

TEST(Options, SplitsNameValueForms) {
  const std::vector<std::string> args = {"field=message", "only_flagged", "=", "yes", "x=a=b"};
  auto o = scp::split_options(args);
  ASSERT_TRUE(o) << o.error().message;
  ASSERT_EQ(o->size(), 3u);
  EXPECT_EQ((*o)[0].name, "field");
  EXPECT_EQ((*o)[0].value, "message");
  EXPECT_EQ((*o)[1].name, "only_flagged");
  EXPECT_EQ((*o)[1].value, "yes");
  EXPECT_EQ((*o)[2].value, "a=b");
  const std::vector<std::string> pos = {"_raw"};
  auto p = scp::split_options(pos);
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message.find("unexpected argument '_raw'"), std::string::npos);
  const std::vector<std::string> eq = {"=x"};
  EXPECT_FALSE(scp::split_options(eq));
}

TEST(Options, SplunkBooleans) {
  for (const char* t : {"true", "TRUE", "t", "T", "1", "yes", "Yes"}) {
    auto b = scp::parse_splunk_bool(t);
    ASSERT_TRUE(b) << t;
    EXPECT_TRUE(*b) << t;
  }
  for (const char* f : {"false", "False", "f", "F", "0", "no", "NO"}) {
    auto b = scp::parse_splunk_bool(f);
    ASSERT_TRUE(b) << f;
    EXPECT_FALSE(*b) << f;
  }
  for (const char* bad : {"", "2", "y", "n", "on", "off", "truee", " true"}) {
    EXPECT_FALSE(scp::parse_splunk_bool(bad)) << bad;
  }
}

TEST(Csv, RandomRoundTripsExerciseTheVectorisedUnescape) {
  // Fields of every length with quotes at every density, followed by more fields: the in-place
  // unescape must never clobber bytes it has not read yet.
  std::uint32_t seed = 12345;
  auto rnd = [&seed] {
    seed = seed * 1664525u + 1013904223u;
    return seed >> 8;
  };
  const char alphabet[] = "ab\",\n\r$\xc3\xa9{}:";
  for (int round = 0; round < 400; ++round) {
    std::vector<std::string> row;
    const int width = 1 + static_cast<int>(rnd() % 5);
    for (int i = 0; i < width; ++i) {
      std::string v;
      const std::size_t len = rnd() % 120;
      const unsigned density = rnd() % 4;  // 0: no specials ... 3: mostly specials
      for (std::size_t k = 0; k < len; ++k) {
        v.push_back(rnd() % 4 < density ? alphabet[rnd() % (sizeof alphabet - 1)]
                                        : static_cast<char>('A' + rnd() % 26));
      }
      row.push_back(v);
    }
    std::string body;
    for (int rep = 0; rep < 3; ++rep) {
      for (std::size_t i = 0; i < row.size(); ++i) {
        if (i) body += ',';
        scp::csv_append_field(body, row[i]);
      }
      body += rep == 1 ? "\r\n" : "\n";
    }
    scp::CsvReader r(body);
    std::vector<std::string_view> f;
    for (int rep = 0; rep < 3; ++rep) {
      auto ok = r.next(f);
      ASSERT_TRUE(ok && *ok) << round;
      ASSERT_EQ(f.size(), row.size()) << round;
      for (std::size_t i = 0; i < row.size(); ++i) ASSERT_EQ(f[i], row[i]) << round << "/" << i;
    }
    EXPECT_TRUE(r.at_end());
  }
}

TEST(Csv, LongJsonCellWithManyDoubledQuotes) {
  std::string json = "{";
  for (int i = 0; i < 500; ++i)
    json += "\"k" + std::to_string(i) + "\":\"v\\\"" + std::to_string(i) + "\",";
  json += "\"end\":true}";
  std::string body;
  scp::csv_append_field(body, json);
  body += ",7\n";
  scp::CsvReader r(body);
  std::vector<std::string_view> f;
  auto ok = r.next(f);
  ASSERT_TRUE(ok && *ok);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0], json);
  EXPECT_EQ(f[1], "7");
}

TEST(Csv, FastAndBaselineUnescapeAgree) {
  // Quoted fields built from random runs of quotes and text, long enough for many 64-byte blocks;
  // quote runs land on every block boundary position sooner or later.
  std::uint32_t seed = 777;
  auto rnd = [&seed] {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 8) & 0xFFFFFF;
  };
  for (int round = 0; round < 3000; ++round) {
    std::string value;
    const std::size_t len = rnd() % 400;
    while (value.size() < len) {
      if (rnd() % 3 == 0) {
        value.append(rnd() % 6, '"');
      } else {
        value.append(rnd() % 20, static_cast<char>('a' + rnd() % 26));
      }
    }
    std::string field;
    scp::csv_append_field(field, value);
    if (field.empty() || field[0] != '"') field = "\"" + field + "\"";
    field += ",tail\"after\n" + std::string(rnd() % 70, 'z');
    std::string a = field;
    std::string b = field;
    char* wa = nullptr;
    char* wb = nullptr;
    char* ea = scp::detail::unescape_quoted(a.data() + 1, a.data() + a.size(), wa);
    char* eb = scp::detail::unescape_quoted_baseline(b.data() + 1, b.data() + b.size(), wb);
    ASSERT_NE(ea, nullptr) << round;
    ASSERT_NE(eb, nullptr) << round;
    ASSERT_EQ(ea - a.data(), eb - b.data()) << round;
    ASSERT_EQ(std::string(a.data() + 1, wa), value) << round;
    ASSERT_EQ(std::string(b.data() + 1, wb), value) << round;
    // nothing after the closing quote was touched
    ASSERT_EQ(std::string(ea, a.data() + a.size()), std::string(eb, b.data() + b.size())) << round;
    ASSERT_EQ(std::string(ea, a.data() + a.size()).substr(0, 12), ",tail\"after\n") << round;
    // Every kernel this CPU runs, in one go and resumed at a random cut (as a window end).
    for (auto u : {scp::detail::Unescaper::kBaseline, scp::detail::Unescaper::kSsse3,
                   scp::detail::Unescaper::kAvx512}) {
      if (!scp::detail::unescaper_available(u)) continue;
      for (const bool resumed : {false, true}) {
        std::string c = field;
        char* r = c.data() + 1;
        char* w = r;
        char* const end = c.data() + c.size();
        char* ec = nullptr;
        if (resumed) {
          const std::size_t cut = 1 + rnd() % (c.size() - 1);
          ec = scp::detail::unescape_quoted_with(u, r, w, c.data() + cut, false);
        }
        if (ec == nullptr) ec = scp::detail::unescape_quoted_with(u, r, w, end, true);
        ASSERT_EQ(ec - c.data(), ea - a.data()) << round << " kernel " << static_cast<int>(u);
        ASSERT_EQ(std::string(c.data() + 1, w), value)
            << round << " kernel " << static_cast<int>(u);
        ASSERT_EQ(std::string(ec, end), std::string(ea, a.data() + a.size())) << round;
      }
    }
  }
}

namespace {

using scp::detail::Unescaper;

/// What a kernel made of a field: where the closing quote ended it (-1: never closed), the value.
struct Unescaped {
  std::ptrdiff_t after = -1;
  std::string value;
  bool operator==(const Unescaped&) const = default;
};

/// Runs kernel `u` over `text` (a quoted field's bytes after the opening quote, and whatever
/// follows it) placed `align` bytes into an exact-size heap block, the window ending at each of
/// `cuts` in turn (resumed like CsvReader does) and finally at the end of `text`, as the last one.
/// The bytes after the closing quote must come out untouched.
Unescaped run_kernel(Unescaper u, const std::string& text, std::size_t align,
                     const std::vector<std::size_t>& cuts) {
  std::unique_ptr<char[]> block(new char[align + text.size()]);
  char* const base = block.get() + align;
  std::memcpy(base, text.data(), text.size());
  char* r = base;
  char* w = base;
  char* after = nullptr;
  for (std::size_t cut : cuts) {
    if (base + cut < r) ADD_FAILURE() << "a kernel left r past a window end";
    after = scp::detail::unescape_quoted_with(u, r, w, base + cut, false);
    if (after != nullptr) break;
  }
  if (after == nullptr)
    after = scp::detail::unescape_quoted_with(u, r, w, base + text.size(), true);
  Unescaped out;
  if (after == nullptr) return out;
  const auto used = static_cast<std::size_t>(after - base);
  out.after = after - base;
  out.value.assign(base, w);
  if (std::string_view(after, text.size() - used) != std::string_view(text).substr(used)) {
    ADD_FAILURE() << "bytes after the closing quote were overwritten";
  }
  return out;
}

/// Quoted fields (without their opening quote) whose quote runs sit at every offset of the first
/// two 64-byte blocks, including pairs straddling a block edge and a closing quote that ends a
/// block, each with a separator after it, at the end of the body, or never closed.
std::vector<std::string> block_edge_fields() {
  std::vector<std::string> out;
  for (std::size_t pos = 0; pos < 132; ++pos) {
    for (std::size_t quotes : {0U, 1U, 2U, 3U}) {
      for (std::size_t tail : {0U, 1U, 66U}) {
        std::string value(pos, 'a');
        value.append(quotes, '"');
        value.append(tail, 'b');
        std::string field;
        for (char c : value) field.append(c == '"' ? 2 : 1, c);
        out.push_back(field + "\",x\"\n");  // closed, then bytes that must stay as they are
        if (tail == 0) {
          out.push_back(field + "\"");  // closed by the last byte of the body
          out.push_back(field);         // never closed
        }
      }
    }
  }
  return out;
}

}  // namespace

TEST(Csv, EveryKernelAgreesAtEveryAlignmentAndEverySplitPoint) {
  // The AVX-512 kernel carries one bit between blocks, writes a quote that ends a block as data
  // and steps back over it when the next block (or window) shows it closed the field, and loads
  // the last partial block masked: its edges are the block edges and the window ends, so every
  // kernel runs every field at every alignment, resumed at every single split point, and one
  // byte per call.
  std::vector<Unescaper> kernels;
  for (Unescaper u : {Unescaper::kBaseline, Unescaper::kSsse3, Unescaper::kAvx512}) {
    if (scp::detail::unescaper_available(u)) kernels.push_back(u);
  }
  std::size_t n = 0;
  for (const std::string& text : block_edge_fields()) {
    const Unescaped want = run_kernel(Unescaper::kBaseline, text, 0, {});
    // The reference agrees with the scalar definition: `""` is data, a lone `"` closes.
    Unescaped scalar;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] != '"') {
        scalar.value.push_back(text[i]);
      } else if (i + 1 < text.size() && text[i + 1] == '"') {
        scalar.value.push_back('"');
        ++i;
      } else {
        scalar.after = static_cast<std::ptrdiff_t>(i + 1);
        break;
      }
    }
    if (scalar.after < 0) scalar.value.clear();
    ASSERT_EQ(want, scalar) << text;
    for (Unescaper u : kernels) {
      const auto k = static_cast<int>(u);
      for (std::size_t align = 0; align < 64; ++align) {
        ASSERT_EQ(run_kernel(u, text, align, {}), want) << "kernel " << k << " align " << align;
      }
      std::vector<std::size_t> drip;
      for (std::size_t cut = 0; cut <= text.size(); ++cut) {
        ASSERT_EQ(run_kernel(u, text, cut % 64, {cut}), want) << "kernel " << k << " cut " << cut;
        drip.push_back(cut);
      }
      ASSERT_EQ(run_kernel(u, text, n % 64, drip), want) << "kernel " << k << " byte per call";
    }
    ++n;
  }
}

TEST(Csv, EveryKernelReadsNothingPastTheEndOfTheBody) {
  // Each field ends at the end of a page whose next page is inaccessible: a kernel reading a
  // byte past the body (a whole-vector load for the last partial block) faults.
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  void* mem = ::mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(mem, MAP_FAILED);
  ASSERT_EQ(::mprotect(static_cast<char*>(mem) + page, page, PROT_NONE), 0);
  char* const page_end = static_cast<char*>(mem) + page;
  for (const std::string& text : block_edge_fields()) {
    const Unescaped want = run_kernel(Unescaper::kBaseline, text, 0, {});
    for (Unescaper u : {Unescaper::kBaseline, Unescaper::kSsse3, Unescaper::kAvx512}) {
      if (!scp::detail::unescaper_available(u)) continue;
      char* const base = page_end - text.size();
      std::memcpy(base, text.data(), text.size());
      char* r = base;
      char* w = base;
      char* const after = scp::detail::unescape_quoted_with(u, r, w, page_end, true);
      Unescaped got;
      if (after != nullptr) {
        got.after = after - base;
        got.value.assign(base, w);
      }
      ASSERT_EQ(got, want) << "kernel " << static_cast<int>(u) << " " << text;
    }
  }
  ::munmap(mem, 2 * page);
}

TEST(Csv, FieldEndingNearTheEndOfTheBufferReadsNothingPastIt) {
  // Found by fuzzing: the 16-byte copies of the block loop read up to 15 bytes past a 64-byte
  // block, so the block loop needs 80 readable bytes. The body sits in an exact-size heap block
  // so ASan sees any read past it.
  const std::string text =
      "\"{\"\"kind\"\": \"\"Event\"\", \"\"a\"\": "
      "\"\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"\", \"\"b\"\": [0, 2, "
      "{\"\"c\"\": \"\"T\\\"\"q\\\"\"\"\"}]}\",0\n";
  for (std::size_t cut = 0; cut < 40; ++cut) {
    const std::size_t n = text.size() - cut;
    std::unique_ptr<char[]> buf(new char[n]);
    std::memcpy(buf.get(), text.data(), n);
    scp::CsvReader r(std::span<char>(buf.get(), n));
    std::vector<std::string_view> f;
    for (int i = 0; i < 4; ++i) {
      auto ok = r.next(f);
      if (!ok || !*ok) break;
    }
  }
  std::string copy = text;
  scp::CsvReader r(copy);
  std::vector<std::string_view> f;
  auto ok = r.next(f);
  ASSERT_TRUE(ok && *ok);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[1], "0");
  EXPECT_EQ(f[0].substr(0, 17), "{\"kind\": \"Event\",");
}

// ---------------------------------------------------------------- streamed bodies

namespace {

/// A body revealed `step` bytes per more(). Every more() moves what is kept into a fresh heap
/// block and scribbles over the old one, so a view the reader failed to move along reads
/// garbage (and AddressSanitizer flags it).
class SteppedSource final : public scp::BodySource {
 public:
  SteppedSource(std::string body, std::size_t step) : body_(std::move(body)), step_(step) {
    copy_from(0, std::min(step_, body_.size()));
  }
  [[nodiscard]] Window window() const noexcept override {
    return {buf_.get(), buf_.get() + (avail_ - kept_), avail_ == body_.size()};
  }
  kubepriv::common::Result<void> more(char* keep) override {
    EXPECT_LT(avail_, body_.size()) << "more() past the end of the body";
    const auto dropped = static_cast<std::size_t>(keep - buf_.get());
    // The reader's own bytes (unescaped in place) are kept as they are, then new body bytes.
    std::string kept(keep, buf_.get() + (avail_ - kept_));
    std::memset(buf_.get(), '#', avail_ - kept_);
    kept_ += dropped;
    avail_ = std::min(avail_ + step_, body_.size());
    kept.append(body_, kept_ + kept.size(), avail_ - kept_ - kept.size());
    buf_ = std::make_unique<char[]>(kept.size() + 1);
    std::memcpy(buf_.get(), kept.data(), kept.size());
    ++calls;
    return {};
  }
  int calls = 0;

 private:
  void copy_from(std::size_t from, std::size_t to) {
    buf_ = std::make_unique<char[]>(to - from + 1);
    std::memcpy(buf_.get(), body_.data() + from, to - from);
    kept_ = from;
    avail_ = to;
  }
  std::string body_;
  std::size_t step_;
  std::unique_ptr<char[]> buf_;
  std::size_t kept_ = 0;   ///< body offset of buf_[0]
  std::size_t avail_ = 0;  ///< body bytes revealed so far
};

/// Bodies with every shape the reader must resume in: long quoted JSON (many 64-byte blocks,
/// doubled quotes on block edges), CRLF, empty lines, a last record without newline, a bare CR
/// at the end, and the errors.
std::vector<std::string> awkward_bodies() {
  std::string json = "{";
  for (int i = 0; i < 40; ++i) json += "\"k" + std::to_string(i) + "\":\"v\\\"\"" + "\",";
  json += "\"e\":\"" + std::string(70, '"') + "\"}";
  std::string cell;
  scp::csv_append_field(cell, json);
  std::vector<std::string> out = {
      "\"_raw\",\"_chunked_idx\",\"__mv__raw\",\"__mv__chunked_idx\"\n" + cell + ",0,,\n" + cell +
          ",1,,\n",
      "a,b\r\n" + cell + ",\"x\"\"y\"\r\n\r\n,\n" + cell,
      "a\n\"\"\n\"\"\"\"\n\"a,b\nc\"\r",
      "h\n" + cell + ",1\n" + cell.substr(0, 300),  // never closed
      "h\n" + cell + "x,1\n",                       // junk after a closing quote
      "h\nab\"c\n",                                 // quote inside an unquoted field
      "h\n" + cell + "\rz\n",                       // CR not followed by LF
      "",
      "\n",
      ",,,\n",
  };
  // Random bytes over the characters that matter: valid and broken CSV alike.
  std::uint32_t seed = 4242;
  auto rnd = [&seed] {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 8) & 0xFFFFFF;
  };
  const char alphabet[] = "\"\"\"\",\n\rab";
  for (int i = 0; i < 60; ++i) {
    std::string b;
    const std::size_t len = rnd() % 300;
    for (std::size_t k = 0; k < len; ++k) b.push_back(alphabet[rnd() % (sizeof alphabet - 1)]);
    out.push_back(b);
  }
  return out;
}

}  // namespace

TEST(CsvStreamed, SameRecordsAndErrorsHoweverTheBodyIsSplit) {
  for (const std::string& body : awkward_bodies()) {
    std::string whole_error;
    const auto whole = read_all_records(body, &whole_error);
    for (std::size_t step : {1U, 2U, 3U, 7U, 16U, 63U, 64U, 65U, 79U, 80U, 81U, 130U, 4096U}) {
      SteppedSource source(body, step);
      scp::CsvReader r(source);
      std::string error;
      const auto got = read_records(r, &error);
      ASSERT_EQ(got, whole) << "step " << step << " body " << body.substr(0, 60);
      ASSERT_EQ(error, whole_error) << "step " << step;
      if (error.empty()) {
        EXPECT_TRUE(r.at_end());
      }
      if (error.empty() && body.size() > step) {
        EXPECT_GT(source.calls, 0);
      }
    }
  }
}

TEST(CsvStreamed, ResumableUnescapeKeepsBackAQuoteAtTheEnd) {
  // `"a""` then more: the last quote may be half of a pair, so nothing is decided yet.
  std::string s =
      "a\"\"\"\"b\",";  // value a""b once the pairs are undone, the closing quote, a comma
  char* r = s.data();
  char* w = s.data();
  EXPECT_EQ(scp::detail::unescape_quoted_resume(r, w, s.data() + 2, false), nullptr);
  EXPECT_EQ(r, s.data() + 1);  // on the quote
  EXPECT_EQ(scp::detail::unescape_quoted_resume(r, w, s.data() + 4, false), nullptr);
  char* const after = scp::detail::unescape_quoted_resume(r, w, s.data() + s.size(), false);
  ASSERT_EQ(after, s.data() + s.size() - 1);
  EXPECT_EQ(std::string(s.data(), w), "a\"\"b");
}

namespace {

/// Reads every chunk from `fd`, whole (next(), a CsvReader over each body) or streamed
/// (next_streamed(), a CsvReader over the window, skip_body()); each chunk as
/// "meta|record;record;..." or the error that ends the stream.
std::vector<std::string> read_chunks(int fd, bool streamed) {
  std::vector<std::string> out;
  scp::ChunkReader reader(fd);
  for (;;) {
    std::string s;
    std::string error;
    if (streamed) {
      auto c = reader.next_streamed();
      if (!c) error = c.error().message;
      if (c && !*c) return out;
      if (c) {
        s = std::string((*c)->meta) + "|";
        scp::CsvReader rows(reader);
        for (const auto& rec : read_records(rows, &error)) s += rec + ";";
        auto rest = reader.skip_body();  // a truncated chunk is reported as such
        if (!rest) error = rest.error().message;
      }
    } else {
      auto c = reader.next();
      if (!c) error = c.error().message;
      if (c && !*c) return out;
      if (c) {
        s = std::string((*c)->meta) + "|";
        std::string body((*c)->body.data(), (*c)->body.size());
        for (const auto& rec : read_all_records(body, &error)) s += rec + ";";
      }
    }
    if (!error.empty()) {
      out.push_back("<error> " + error);
      return out;
    }
    out.push_back(s);
  }
}

std::vector<std::string> read_chunks_whole(int fd) {
  return read_chunks(fd, false);
}
std::vector<std::string> read_chunks_streamed(int fd) {
  return read_chunks(fd, true);
}

}  // namespace

TEST(ChunkReader, StreamedBodiesOneBytePerReadMatchWholeChunks) {
  std::string stream;
  const auto bodies = awkward_bodies();
  for (std::size_t i : {0U, 1U, 2U, 7U, 8U, 9U}) {  // the bodies without CSV errors
    stream += chunk(R"({"n":)" + std::to_string(i) + "}", bodies[i]);
  }
  stream += "\n\n" + chunk("{}", "") + chunk(R"({"finished":true})", "a\n1\n");
  {
    Pipe whole;
    whole.feed(stream, 1 << 16);
    const auto want = read_chunks_whole(whole.read_fd());
    ASSERT_EQ(want.size(), 8u);
    kubepriv::scp::testing::DripPipe drip(stream);
    EXPECT_EQ(read_chunks_streamed(drip.read_fd()), want);
  }
  // Larger pieces, and a stream that runs on behind each body (read ahead into the window).
  for (std::size_t piece : {std::size_t{7}, std::size_t{100}, std::size_t{1} << 20}) {
    Pipe a;
    a.feed(stream, piece);
    Pipe b;
    b.feed(stream, piece);
    EXPECT_EQ(read_chunks_streamed(a.read_fd()), read_chunks_whole(b.read_fd())) << piece;
  }
}

TEST(ChunkReader, StreamedErrorsAreTheWholeChunkErrors) {
  const auto bodies = awkward_bodies();
  const std::string good = chunk("{}", bodies[0]);
  const std::vector<std::string> inputs = {
      good + chunk("{}", bodies[1]).substr(0, 200),         // cut inside a quoted field
      good + chunk("{}", bodies[0]).substr(0, 20),          // cut inside the metadata
      good + "chunked 1.0,2",                               // cut inside the header
      good + chunk("{}", bodies[3]),                        // a field never closed
      good + chunk("{}", bodies[4]).substr(0, 900),         // a CSV error, then cut: the cut wins
      good + "chunked 1.0,2,999999\n{}a,b\n",               // announced far more than arrives
      good + chunk("{}", std::string(300000, 'x') + "\n"),  // one record longer than the window
  };
  for (const std::string& in : inputs) {
    Pipe a;
    a.feed(in, 1000);
    Pipe b;
    b.feed(in, 1000);
    const auto want = read_chunks_whole(b.read_fd());
    EXPECT_EQ(read_chunks_streamed(a.read_fd()), want) << in.substr(in.size() - 40);
  }
}
