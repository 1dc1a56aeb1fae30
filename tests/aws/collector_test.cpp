#include "kubepriv/aws/collector.hpp"

#include <gtest/gtest.h>

#include <algorithm>  // std::find
#include <cctype>     // std::toupper
#include <map>
#include <random>
#include <set>

#include "kubepriv/testing/capture_logs.hpp"
#include "kubepriv/testing/fake_clock.hpp"

using namespace kubepriv;
using namespace std::chrono_literals;
using common::ErrorCode;

namespace {

// An in-memory log group with the FilterLogEvents semantics of cloudwatch.md §13.3: inclusive
// bounds, (timestamp, ingestionTime, id) order interleaved across streams, events visible only
// once ingested, opaque tokens that resume after the last returned event, optional empty pages.
class FakeLogs final : public aws::LogsApi {
 public:
  struct Ev {
    aws::LogEvent e;
  };
  explicit FakeLogs(const common::FakeClock& clock) : clock_(clock) {}
  void add(std::string stream, std::string id, std::int64_t ts, std::int64_t ingest) {
    aws::LogEvent e;
    e.log_stream_name = std::move(stream);
    e.event_id = std::move(id);
    e.timestamp_ms = ts;
    e.ingestion_time_ms = ingest;
    e.message = "{\"auditID\":\"" + e.event_id + "\"}";
    events_.push_back(e);
  }
  common::Result<aws::FilterLogEventsPage> filter_log_events(
      const aws::FilterLogEventsRequest& r) override {
    ++calls;
    last_.reset();
    if (fail_next > 0 || calls == fail_on_call) {
      if (fail_next > 0) --fail_next;
      aws::ApiError e;
      e.code = "ServiceUnavailableException";
      e.error_class = aws::ErrorClass::kRetryable;
      last_ = e;
      return tl::unexpected(e.to_error());
    }
    if (!r.next_token.empty() && reject_tokens > 0) {
      --reject_tokens;
      aws::ApiError e;
      e.code = "InvalidParameterException";
      e.message = "The specified nextToken is invalid";
      e.error_class = aws::ErrorClass::kInvalidToken;
      last_ = e;
      return tl::unexpected(e.to_error());
    }
    const std::int64_t now = common::to_epoch_ms(clock_.now());
    std::vector<aws::LogEvent> match;
    for (const auto& e : events_) {
      if (e.ingestion_time_ms > now) continue;
      if (!ignore_prefix && e.log_stream_name.rfind(r.log_stream_name_prefix, 0) != 0) continue;
      if (r.start_time_ms && e.timestamp_ms < *r.start_time_ms) continue;
      if (r.end_time_ms && e.timestamp_ms > *r.end_time_ms) continue;
      match.push_back(e);
    }
    auto key = [](const aws::LogEvent& e) {
      return std::tuple(e.timestamp_ms, e.ingestion_time_ms, e.event_id);
    };
    std::sort(match.begin(), match.end(),
              [&](const auto& a, const auto& b) { return key(a) < key(b); });
    aws::FilterLogEventsPage page;
    int empties = 0;
    std::size_t from = 0;
    if (!r.next_token.empty()) {
      // token = "<empties>|<ts>|<ingest>|<id>" of the last event returned
      std::string t = r.next_token;
      auto p1 = t.find('|'), p2 = t.find('|', p1 + 1), p3 = t.find('|', p2 + 1);
      empties = std::stoi(t.substr(0, p1));
      const auto last = std::tuple(std::stoll(t.substr(p1 + 1, p2 - p1 - 1)),
                                   std::stoll(t.substr(p2 + 1, p3 - p2 - 1)), t.substr(p3 + 1));
      while (from < match.size() && !(key(match[from]) > last)) ++from;
    }
    std::tuple<std::int64_t, std::int64_t, std::string> last_key{INT64_MIN, 0, ""};
    if (!r.next_token.empty()) {
      std::string t = r.next_token;
      auto p1 = t.find('|'), p2 = t.find('|', p1 + 1), p3 = t.find('|', p2 + 1);
      last_key = std::tuple(std::stoll(t.substr(p1 + 1, p2 - p1 - 1)),
                            std::stoll(t.substr(p2 + 1, p3 - p2 - 1)), t.substr(p3 + 1));
    }
    if (empties < empty_pages_per_pagination) {
      page.next_token = std::to_string(empties + 1) + "|" + std::to_string(std::get<0>(last_key)) +
                        "|" + std::to_string(std::get<1>(last_key)) + "|" + std::get<2>(last_key);
      return page;
    }
    const std::size_t limit =
        std::min<std::size_t>(static_cast<std::size_t>(r.limit > 0 ? r.limit : 10000), page_size);
    for (std::size_t i = from; i < match.size() && page.events.size() < limit; ++i)
      page.events.push_back(match[i]);
    if (from + page.events.size() < match.size()) {
      const auto& l = page.events.back();
      page.next_token = std::to_string(empties) + "|" + std::to_string(l.timestamp_ms) + "|" +
                        std::to_string(l.ingestion_time_ms) + "|" + l.event_id;
    }
    return page;
  }
  std::optional<aws::ApiError> last_error() const override { return last_; }

  std::size_t page_size = 3;
  int empty_pages_per_pagination = 0;
  int fail_next = 0;
  int fail_on_call = -1;  // this call (1-based) fails, whatever fail_next says
  int reject_tokens = 0;
  bool ignore_prefix = false;
  int calls = 0;

 private:
  const common::FakeClock& clock_;
  std::vector<aws::LogEvent> events_;
  std::optional<aws::ApiError> last_;
};

// Records delivered events; "durable" = delivered before the last commit.
struct Sink final : aws::EventSink {
  std::vector<aws::LogEvent> delivered;
  std::size_t durable = 0;
  std::string committed;
  int commits = 0;
  int fail_commit_after = -1;
  common::Result<void> on_event(const aws::LogEvent& e) override {
    delivered.push_back(e);
    return {};
  }
  common::Result<void> commit(const std::string& state) override {
    if (fail_commit_after >= 0 && commits >= fail_commit_after)
      return common::fail(ErrorCode::kIo, "disk full");
    ++commits;
    committed = state;
    durable = delivered.size();
    return {};
  }
};

constexpr std::int64_t kT0 = 1'700'000'000'000;  // FakeClock's default start

aws::CollectorConfig config() {
  aws::CollectorConfig c;
  c.log_group_name = "/aws/eks/demo/cluster";
  c.latency = 120s;
  c.overlap = 600s;
  c.page_limit = 1000;
  return c;
}

std::size_t unique_count(const std::vector<aws::LogEvent>& v) {
  std::set<std::string> out;
  for (const auto& e : v) out.insert(e.event_id);
  return out.size();
}

std::multiset<std::string> ids(const std::vector<aws::LogEvent>& v) {
  std::multiset<std::string> out;
  for (const auto& e : v) out.insert(e.event_id);
  return out;
}

}  // namespace

TEST(StartPosition, Parsing) {
  EXPECT_EQ(aws::parse_start_position("now")->kind, aws::StartPosition::Kind::kNow);
  EXPECT_EQ(aws::parse_start_position(" Beginning ")->kind, aws::StartPosition::Kind::kBeginning);
  auto rel = aws::parse_start_position("-90m");
  ASSERT_TRUE(rel);
  EXPECT_EQ(rel->kind, aws::StartPosition::Kind::kRelative);
  EXPECT_EQ(rel->value_ms, 90 * 60'000);
  auto abs = aws::parse_start_position("2024-05-01T00:00:00Z");
  ASSERT_TRUE(abs);
  EXPECT_EQ(abs->value_ms, 1714521600000);
  EXPECT_EQ(aws::parse_start_position("-1000000000s")->value_ms, 1'000'000'000'000);
  for (const char* bad :
       {"", "-", "-1y", "-h", "yesterday", "2024-05-01", "-99999999999d", "-1000000001s", "-+5m",
        "--5m", "- 5m", "-5mm", "-99999999999999999999999d"}) {
    auto r = aws::parse_start_position(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    }
  }
}

TEST(CollectorState, JsonRoundTripAndRejects) {
  aws::CollectorState s;
  s.floor_ms = 5;
  s.ckpt_end_ms = 10;
  s.window = aws::CollectorState::Window{1, 20, "tok\"en"};
  s.seen[aws::CollectorState::key_of("stream-a", "id1")] = 7;
  s.seen[aws::CollectorState::key_of("stream-b", "id1")] = 8;
  auto back = aws::CollectorState::from_json(s.to_json());
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->to_json(), s.to_json());
  EXPECT_EQ(back->window->next_token, "tok\"en");
  EXPECT_EQ(back->seen.size(), 2u);
  EXPECT_EQ(back->seen.at(aws::CollectorState::key_of("stream-b", "id1")), 8);
  // Version 1 checkpoints (stream and eventId in clear) still load.
  auto v1 = aws::CollectorState::from_json(
      R"({"version":1,"ckpt_end_ms":10,"seen":[["stream-a","id1",7]]})");
  ASSERT_TRUE(v1) << v1.error().message;
  EXPECT_EQ(v1->seen.at(aws::CollectorState::key_of("stream-a", "id1")), 7);
  EXPECT_EQ(v1->seen.count(aws::CollectorState::key_of("stream-a", "id2")), 0u);
  for (const char* bad :
       {"", "[]", "{}", R"({"version":3})", R"({"version":1,"floor_ms":"x"})",
        R"({"version":1,"window":{"start_ms":5,"end_ms":1}})",
        R"({"version":1,"seen":[["a","b"]]})", R"({"version":1,"seen":{}})", "{\"version\":1",
        R"({"version":2,"seen":[["a","b",1]]})", R"({"version":2,"seen":[["0123",1]]})",
        R"({"version":2,"seen":[["0123456789abcdef0123456789abcdeg",1]]})",
        R"({"version":2,"seen":[["0123456789abcdef0123456789abcdef00",1]]})"}) {
    EXPECT_FALSE(aws::CollectorState::from_json(bad)) << bad;
  }
}

// Keys are written in lower-case hex and read in either case (the shared hex decoder's rule).
TEST(CollectorState, SeenKeysReadInEitherHexCase) {
  aws::CollectorState s;
  s.seen[aws::CollectorState::key_of("stream-a", "id1")] = 7;
  std::string text = s.to_json();
  const auto at = text.find("\"seen\":[[\"") + 10;
  for (std::size_t i = at; i < at + 32; ++i) {
    text[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[i])));
  }
  auto back = aws::CollectorState::from_json(text);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->seen.at(aws::CollectorState::key_of("stream-a", "id1")), 7);
  EXPECT_EQ(back->to_json(), s.to_json());
}

TEST(Collector, StartNowReadsOnlyNewEventsAndCommitsFloorAtOnce) {
  common::FakeClock clock;
  FakeLogs logs(clock);
  logs.add("kube-apiserver-audit-a", "old", kT0 - 3'600'000, kT0 - 3'590'000);
  Sink sink;
  aws::Collector c(logs, clock, config());
  auto s1 = c.run_cycle(sink);
  ASSERT_TRUE(s1) << s1.error().message;
  EXPECT_EQ(sink.commits, 1);  // the resolved "now" is saved before anything else
  EXPECT_TRUE(sink.delivered.empty());
  logs.add("kube-apiserver-audit-a", "new", kT0 + 10'000, kT0 + 11'000);
  clock.advance(300s);
  auto s2 = c.run_cycle(sink);
  ASSERT_TRUE(s2);
  EXPECT_EQ(ids(sink.delivered), std::multiset<std::string>{"new"});
  EXPECT_TRUE(s2->caught_up);
  EXPECT_EQ(*s2->checkpoint_end_ms, kT0 + 300'000 - 120'000);
}

TEST(Collector, LateEventInsideOverlapEmittedOnceAndRepeatsDropped) {
  common::FakeClock clock;
  FakeLogs logs(clock);
  auto cfg = config();
  cfg.start.kind = aws::StartPosition::Kind::kRelative;
  cfg.start.value_ms = 3'600'000;
  aws::Collector c(logs, clock, cfg);
  Sink sink;
  logs.add("kube-apiserver-audit-a", "e1", kT0 - 1'000'000, kT0 - 999'000);
  logs.add("kube-apiserver-audit-b", "e2", kT0 - 500'000, kT0 - 499'000);
  // Timestamp before the first window's end but ingested 4 minutes later ("late").
  logs.add("kube-apiserver-audit-a", "late", kT0 - 200'000, kT0 + 240'000);
  ASSERT_TRUE(c.run_cycle(sink));
  EXPECT_EQ(ids(sink.delivered), (std::multiset<std::string>{"e1", "e2"}));
  clock.advance(300s);
  auto s = c.run_cycle(sink);
  ASSERT_TRUE(s);
  EXPECT_EQ(ids(sink.delivered), (std::multiset<std::string>{"e1", "e2", "late"}));
  EXPECT_EQ(s->late_events, 1u);
  EXPECT_GE(s->duplicates_dropped, 1u);  // e2 re-read inside the overlap
  clock.advance(60s);
  ASSERT_TRUE(c.run_cycle(sink));
  EXPECT_EQ(sink.delivered.size(), 3u);
}

TEST(Collector, BoundaryMillisecondAcrossOverlappingWindows) {
  common::FakeClock clock;
  FakeLogs logs(clock);
  auto cfg = config();
  cfg.start.kind = aws::StartPosition::Kind::kRelative;
  cfg.start.value_ms = 600'000;
  aws::Collector c(logs, clock, cfg);
  Sink sink;
  const std::int64_t end1 = kT0 - 120'000;  // first window's inclusive end
  logs.add("kube-apiserver-audit-a", "edge", end1, end1);
  logs.add("kube-apiserver-audit-b", "edge-same-ms", end1, end1 + 200'000);  // late, same ms
  ASSERT_TRUE(c.run_cycle(sink));
  clock.advance(300s);
  ASSERT_TRUE(c.run_cycle(sink));
  EXPECT_EQ(ids(sink.delivered), (std::multiset<std::string>{"edge", "edge-same-ms"}));
}

TEST(Collector, FollowsEmptyPagesAndFiltersForeignStreams) {
  common::FakeClock clock;
  FakeLogs logs(clock);
  logs.empty_pages_per_pagination = 4;
  logs.ignore_prefix = true;  // a server/proxy ignoring the prefix
  auto cfg = config();
  cfg.start.kind = aws::StartPosition::Kind::kRelative;
  cfg.start.value_ms = 600'000;
  aws::Collector c(logs, clock, cfg);
  Sink sink;
  logs.add("kube-apiserver-audit-a", "a1", kT0 - 400'000, kT0 - 400'000);
  logs.add("kube-apiserver-abc", "api-stream", kT0 - 300'000, kT0 - 300'000);
  auto s = c.run_cycle(sink);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(ids(sink.delivered), std::multiset<std::string>{"a1"});
  EXPECT_EQ(s->empty_pages, 4);
  EXPECT_EQ(s->foreign_stream_events, 1u);
}

TEST(Collector, PageBoundResumesWithTokenNextCycle) {
  common::FakeClock clock;
  FakeLogs logs(clock);
  logs.page_size = 2;
  auto cfg = config();
  cfg.max_pages_per_cycle = 2;
  cfg.start.kind = aws::StartPosition::Kind::kRelative;
  cfg.start.value_ms = 600'000;
  aws::Collector c(logs, clock, cfg);
  Sink sink;
  for (int i = 0; i < 9; ++i) {
    logs.add("kube-apiserver-audit-a", "e" + std::to_string(i), kT0 - 500'000 + i * 1000,
             kT0 - 500'000 + i * 1000);
  }
  auto s1 = c.run_cycle(sink);
  ASSERT_TRUE(s1);
  EXPECT_FALSE(s1->caught_up);
  EXPECT_EQ(sink.delivered.size(), 4u);
  ASSERT_TRUE(c.state().window);
  EXPECT_FALSE(c.state().window->next_token.empty());
  const int calls_before = logs.calls;
  auto s2 = c.run_cycle(sink);
  ASSERT_TRUE(s2);
  EXPECT_EQ(sink.delivered.size(), 8u);
  EXPECT_EQ(logs.calls - calls_before, 2);
  ASSERT_TRUE(c.run_cycle(sink));
  EXPECT_EQ(ids(sink.delivered).size(), 9u);
  EXPECT_EQ(unique_count(sink.delivered), 9u);
}

TEST(Collector, InvalidTokenRestartsWindowWithoutRepeats) {
  common::FakeClock clock;
  FakeLogs logs(clock);
  logs.page_size = 2;
  auto cfg = config();
  cfg.max_pages_per_cycle = 1;
  cfg.start.kind = aws::StartPosition::Kind::kRelative;
  cfg.start.value_ms = 600'000;
  aws::Collector c(logs, clock, cfg);
  Sink sink;
  for (int i = 0; i < 5; ++i)
    logs.add("kube-apiserver-audit-a", "e" + std::to_string(i), kT0 - 500'000 + i, kT0 - 500'000);
  ASSERT_TRUE(c.run_cycle(sink));
  EXPECT_EQ(sink.delivered.size(), 2u);
  logs.reject_tokens = 1;
  cfg.max_pages_per_cycle = 10;
  aws::Collector c2(logs, clock, cfg);
  ASSERT_TRUE(c2.restore(sink.committed));
  auto s = c2.run_cycle(sink);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_TRUE(s->token_restarts);
  EXPECT_EQ(sink.delivered.size(), 5u);
  EXPECT_EQ(unique_count(sink.delivered), 5u);
}

TEST(Collector, ErrorsKeepCommittedStateAndSinkFailuresPropagate) {
  common::FakeClock clock;
  FakeLogs logs(clock);
  auto cfg = config();
  cfg.start.kind = aws::StartPosition::Kind::kRelative;
  cfg.start.value_ms = 600'000;
  aws::Collector c(logs, clock, cfg);
  Sink sink;
  logs.add("kube-apiserver-audit-a", "e1", kT0 - 400'000, kT0 - 400'000);
  logs.fail_next = 1;
  auto r = c.run_cycle(sink);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(sink.delivered.empty());
  ASSERT_TRUE(c.run_cycle(sink));
  EXPECT_EQ(sink.delivered.size(), 1u);
  Sink broken;
  broken.fail_commit_after = 0;
  aws::Collector c3(logs, clock, cfg);
  EXPECT_FALSE(c3.run_cycle(broken));
}

// A page that fails after token-only progress (an empty page with a nextToken) saves that
// progress first; when the save fails too, the page's error is returned and a WARN says why the
// next cycle reads those pages again.
TEST(Collector, FailedPageSavesTokenProgressAndWarnsWhenThatFails) {
  for (const bool save_fails : {false, true}) {
    SCOPED_TRACE(save_fails ? "save fails" : "save works");
    common::FakeClock clock;
    FakeLogs logs(clock);
    logs.empty_pages_per_pagination = 1;  // call 1: empty page with a token
    logs.fail_on_call = 2;                // call 2: the service fails
    auto cfg = config();
    cfg.start.kind = aws::StartPosition::Kind::kRelative;
    cfg.start.value_ms = 600'000;
    aws::Collector c(logs, clock, cfg);
    logs.add("kube-apiserver-audit-a", "e1", kT0 - 400'000, kT0 - 400'000);
    Sink sink;
    if (save_fails) sink.fail_commit_after = 1;  // the start position saves, then the disk fills
    logging::CaptureLogs capture;
    auto r = c.run_cycle(sink);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(logs.calls, 2);
    EXPECT_TRUE(sink.delivered.empty());
    const auto warned = std::find(capture.messages.begin(), capture.messages.end(),
                                  "could not save the progress before the failed page: disk full");
    if (save_fails) {
      EXPECT_EQ(sink.commits, 1);
      EXPECT_NE(warned, capture.messages.end());
      EXPECT_EQ(sink.committed.find("|"), std::string::npos);  // no token was saved
    } else {
      EXPECT_EQ(sink.commits, 2);
      EXPECT_EQ(warned, capture.messages.end());
      EXPECT_NE(sink.committed.find("1|"), std::string::npos);  // the empty page's token
    }
  }
}

TEST(Collector, BeginningProbesTheOldestEvent) {
  common::FakeClock clock;
  FakeLogs logs(clock);
  logs.add("kube-apiserver-audit-a", "ancient", kT0 - 30LL * 86'400'000, kT0 - 30LL * 86'400'000);
  logs.add("kube-apiserver-audit-a", "recent", kT0 - 400'000, kT0 - 400'000);
  auto cfg = config();
  cfg.start.kind = aws::StartPosition::Kind::kBeginning;
  cfg.max_window = 24h;
  cfg.max_pages_per_cycle = 1000;
  aws::Collector c(logs, clock, cfg);
  Sink sink;
  auto s = c.run_cycle(sink);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(*c.state().floor_ms, kT0 - 30LL * 86'400'000);
  EXPECT_EQ(ids(sink.delivered), (std::multiset<std::string>{"ancient", "recent"}));
  EXPECT_LT(logs.calls, 40);  // ~31 one-day windows, not millions of empty ones
}

// Kill -9 at random points: restart from the last committed state. Every event is delivered;
// repeats are only events handed over after the last commit (at most one page per crash).
TEST(Collector, RandomCrashesNeverLoseAndRepeatAtMostOnePage) {
  for (unsigned seed = 1; seed <= 25; ++seed) {
    std::mt19937 rng(seed);
    common::FakeClock clock;
    FakeLogs logs(clock);
    logs.page_size = 1 + rng() % 4;
    auto cfg = config();
    cfg.start.kind = aws::StartPosition::Kind::kRelative;
    cfg.start.value_ms = 1'800'000;
    cfg.max_pages_per_cycle = 1 + static_cast<int>(rng() % 5);
    cfg.max_window = 300s;
    std::set<std::string> all;
    int n = 0;
    // 40 minutes of events on 3 streams; some arrive up to 8 minutes late (inside the overlap).
    for (std::int64_t t = kT0 - 1'700'000; t < kT0 + 1'200'000;
         t += 20'000 + static_cast<std::int64_t>(rng() % 20'000)) {
      const std::string id = "ev" + std::to_string(n++);
      const std::int64_t delay = rng() % 5 == 0 ? static_cast<std::int64_t>(rng() % 480'000) : 1000;
      logs.add("kube-apiserver-audit-" + std::to_string(rng() % 3), id, t, t + delay);
      all.insert(id);
    }
    Sink out;           // everything ever handed to a sink (what Splunk would have indexed)
    std::string saved;  // the checkpoint file
    std::size_t crash_repeats_allowed = 0;
    for (int round = 0; round < 120; ++round) {
      aws::Collector c(logs, clock, cfg);
      ASSERT_TRUE(c.restore(saved));
      Sink run;
      const bool crash = rng() % 3 == 0;
      auto r = c.run_cycle(run);
      ASSERT_TRUE(r) << r.error().message;
      std::size_t keep = run.delivered.size();
      if (crash) {
        // Lost: nothing after the last commit was checkpointed (events may have been written).
        saved = run.committed.empty() ? saved : run.committed;
        crash_repeats_allowed += run.delivered.size() - run.durable;
      } else {
        saved = run.committed.empty() ? saved : run.committed;
        keep = run.delivered.size();
      }
      for (std::size_t i = 0; i < keep; ++i) out.delivered.push_back(run.delivered[i]);
      clock.advance(std::chrono::milliseconds(20'000 + rng() % 60'000));
    }
    // Drain: time passes beyond every event's ingestion + latency.
    clock.advance(std::chrono::minutes(30));
    for (int i = 0; i < 50; ++i) {
      aws::Collector c(logs, clock, cfg);
      ASSERT_TRUE(c.restore(saved));
      Sink run;
      auto r = c.run_cycle(run);
      ASSERT_TRUE(r);
      saved = run.committed.empty() ? saved : run.committed;
      for (auto& e : run.delivered) out.delivered.push_back(e);
      if (r->caught_up) break;
    }
    const auto got = ids(out.delivered);
    for (const auto& id : all) EXPECT_GE(got.count(id), 1u) << "seed " << seed << " lost " << id;
    const std::size_t repeats = out.delivered.size() - unique_count(out.delivered);
    EXPECT_LE(repeats, crash_repeats_allowed) << "seed " << seed;
  }
}

TEST(CollectorState, OutOfRangeTimesRejected) {
  EXPECT_FALSE(
      aws::CollectorState::from_json(R"({"version":1,"ckpt_end_ms":-9223372036854775807})"));
  EXPECT_FALSE(aws::CollectorState::from_json(R"({"version":1,"floor_ms":9223372036854775807})"));
  EXPECT_FALSE(aws::CollectorState::from_json(
      R"({"version":1,"window":{"start_ms":0,"end_ms":9000000000000000,"next_token":""}})"));
}

TEST(Collector, HugeConfigurationValuesDoNotOverflow) {
  common::FakeClock clock;
  FakeLogs logs(clock);
  logs.add("kube-apiserver-audit-a", "e1", kT0 - 400'000, kT0 - 400'000);
  auto cfg = config();
  cfg.overlap = std::chrono::milliseconds(INT64_MAX);
  cfg.max_window = std::chrono::milliseconds(INT64_MAX);
  cfg.start.kind = aws::StartPosition::Kind::kRelative;
  cfg.start.value_ms = 86'400'000LL * 1'000'000;  // far before 1970: clamped to 0
  aws::Collector c(logs, clock, cfg);
  Sink sink;
  auto s = c.run_cycle(sink);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(*c.state().floor_ms, 0);
  EXPECT_EQ(sink.delivered.size(), 1u);
}

TEST(Collector, WindowsFollowTheServerClockOffset) {
  common::FakeClock clock;
  FakeLogs logs(clock);
  struct Skewed final : aws::LogsApi {
    FakeLogs& inner;
    explicit Skewed(FakeLogs& f) : inner(f) {}
    common::Result<aws::FilterLogEventsPage> filter_log_events(
        const aws::FilterLogEventsRequest& r) override {
      last_end = *r.end_time_ms;
      return inner.filter_log_events(r);
    }
    std::optional<aws::ApiError> last_error() const override { return inner.last_error(); }
    std::chrono::milliseconds clock_offset() const override { return std::chrono::minutes(15); }
    std::int64_t last_end = 0;
  } api(logs);
  auto cfg = config();
  cfg.start.kind = aws::StartPosition::Kind::kRelative;
  cfg.start.value_ms = 600'000;
  aws::Collector c(api, clock, cfg);
  Sink sink;
  ASSERT_TRUE(c.run_cycle(sink));
  EXPECT_EQ(api.last_end, kT0 + 900'000 - 120'000);
}
