#include "kubepriv/ingest/loop.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "kubepriv/aws/endpoints.hpp"
#include "kubepriv/aws/rate_limiter.hpp"
#include "kubepriv/aws/static_provider.hpp"
#include "kubepriv/testing/capture_logs.hpp"
#include "kubepriv/testing/fake_clock.hpp"
#include "kubepriv/testing/fake_http.hpp"
#include "kubepriv/testing/map_environment.hpp"
#include "kubepriv/testing/test_dir.hpp"

using namespace kubepriv;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t kNowMs = 1'700'000'000'000;
constexpr const char* kStream = "kube-apiserver-audit-0123";

std::string message_of(int n) {
  return "{\"kind\":\"Event\",\"seq\":" + std::to_string(n) + "}";
}

// A log group of `count` events one second apart, served `page` events at a time in timestamp
// order; `on_call` runs before each call answers (a test may request a stop there).
class FakeLogs final : public aws::LogsApi {
 public:
  FakeLogs(int count, std::size_t page) : page_(page) {
    for (int i = 0; i < count; ++i) {
      aws::LogEvent e;
      e.event_id = "id-" + std::to_string(i);
      e.log_stream_name = kStream;
      e.timestamp_ms = kNowMs - 3'600'000 + i * 1000;
      e.ingestion_time_ms = e.timestamp_ms + 500;
      e.message = message_of(i);
      events.push_back(e);
    }
  }
  common::Result<aws::FilterLogEventsPage> filter_log_events(
      const aws::FilterLogEventsRequest& r) override {
    ++calls;
    if (on_call) on_call(calls);
    if (fail) {
      aws::ApiError e;
      e.code = "AccessDeniedException";
      e.message = "not authorized";
      e.error_class = aws::ErrorClass::kFatal;
      last_ = e;
      return tl::unexpected(e.to_error());
    }
    last_.reset();
    std::vector<aws::LogEvent> match;
    for (const auto& e : events) {
      if (r.start_time_ms && e.timestamp_ms < *r.start_time_ms) continue;
      if (r.end_time_ms && e.timestamp_ms > *r.end_time_ms) continue;
      match.push_back(e);
    }
    const std::size_t from = r.next_token.empty() ? 0 : std::stoul(r.next_token);
    aws::FilterLogEventsPage p;
    for (std::size_t i = from; i < match.size() && p.events.size() < page_; ++i) {
      p.events.push_back(match[i]);
    }
    if (from + p.events.size() < match.size())
      p.next_token = std::to_string(from + p.events.size());
    for (const auto& e : p.events) served.insert(e.event_id);
    return p;
  }
  std::optional<aws::ApiError> last_error() const override { return last_; }
  std::vector<aws::LogEvent> events;
  std::function<void(int)> on_call;
  int calls = 0;
  std::set<std::string> served;  ///< ids of the events returned in any page
  bool fail = false;

 private:
  std::size_t page_;
  std::optional<aws::ApiError> last_;
};

// stdout as the loop sees it. Before taking any bytes it checks guarantee #1: every event the
// checkpoint on disk already covers was written out by an earlier write.
class CheckingSink final : public modinput::ByteSink {
 public:
  CheckingSink(const modinput::CheckpointStore& store, std::string key,
               std::map<aws::CollectorState::SeenKey, std::string> messages)
      : store_(store), key_(std::move(key)), messages_(std::move(messages)) {}
  common::Result<void> write(std::string_view bytes) override {
    ++writes;
    if (on_write) on_write(writes);
    if (auto saved = store_.load(key_); saved && *saved) {
      auto state = aws::CollectorState::from_json(**saved);
      EXPECT_TRUE(state.has_value());
      if (state) {
        for (const auto& [k, ts] : state->seen) {
          auto it = messages_.find(k);
          if (it != messages_.end() && data.find(it->second) == std::string::npos) {
            ++violations;
          }
        }
      }
    }
    data.append(bytes);
    return {};
  }
  std::string data;
  int writes = 0;
  int violations = 0;
  std::function<void(int)> on_write;  ///< runs before each write (a test may request a stop)

 private:
  const modinput::CheckpointStore& store_;
  std::string key_;
  std::map<aws::CollectorState::SeenKey, std::string> messages_;
};

struct Outcome {
  int code = -1;
  std::string out;
  std::vector<std::string> logs;
  int violations = 0;

  bool has_level(std::string_view level) const {
    for (const auto& l : logs) {
      if (l.rfind(level, 0) == 0) return true;
    }
    return false;
  }
  std::vector<int> seqs() const {
    std::vector<int> s;
    std::size_t pos = 0;
    while ((pos = out.find("\"seq\":", pos)) != std::string::npos) {
      pos += 6;
      s.push_back(std::stoi(out.substr(pos)));
    }
    return s;
  }
};

// One process lifetime: a collector restored from the checkpoint directory, the loop, a close.
class LoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = kubepriv::testing::fresh_test_dir("loop");
    store_ = std::make_unique<modinput::CheckpointStore>(*modinput::CheckpointStore::open(dir_));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  aws::CollectorConfig collector_config() const {
    return {
        .log_group_name = "/aws/eks/demo/cluster",
        .log_group_identifier = {},
        .latency = 120s,
        .overlap = 600s,
        .max_pages_per_cycle = 1000,
        .start = {.kind = aws::StartPosition::Kind::kAbsolute, .value_ms = kNowMs - 4 * 3'600'000}};
  }

  Outcome run(aws::LogsApi& api, common::StopToken& stop, common::FakeSleeper& sleeper,
              ingest::Input input, ingest::EventTime event_time = {}) {
    std::map<aws::CollectorState::SeenKey, std::string> messages;
    if (auto* fake = dynamic_cast<FakeLogs*>(&api)) {
      for (const auto& e : fake->events) {
        messages[aws::CollectorState::key_of(e.log_stream_name, e.event_id)] = e.message;
      }
    }
    CheckingSink sink(*store_, input.options.checkpoint_key, messages);
    sink.on_write = on_write;
    modinput::EventWriter writer(sink, 1 << 20);  // only explicit flushes reach the sink
    aws::Collector collector(api, clock, collector_config());
    if (auto saved = store_->load(input.options.checkpoint_key); saved && *saved) {
      EXPECT_TRUE(collector.restore(**saved).has_value());
    }
    input.collector = &collector;
    Outcome r;
    const ingest::LoopContext ctx{.writer = writer,
                                  .store = *store_,
                                  .clock = clock,
                                  .sleeper = sleeper,
                                  .stop = stop,
                                  .event_time = std::move(event_time)};
    logging::CaptureLogs capture;
    r.code = ingest::run_loop({input}, ctx);
    r.logs = capture.lines;
    r.out = sink.data;
    r.violations = sink.violations;
    return r;
  }

  static ingest::Input input(bool exit_when_caught_up,
                             std::chrono::milliseconds checkpoint_interval = 0ms) {
    return {.options = {.stanza = "eks_audit_logs://t",
                        .host = "h",
                        .source = "s",
                        .sourcetype = "aws:eks:audit",
                        .index = "main",
                        .checkpoint_key = "eks_audit_logs://t|key",
                        .checkpoint_interval = checkpoint_interval},
            .poll_interval = 1s,
            .exit_when_caught_up = exit_when_caught_up};
  }

  // A run ended by a stop request: exit 0, no ERROR line, no checkpoint ahead of stdout.
  static void expect_clean_stop(const Outcome& r);
  // The next run (no stop) delivers exactly what `first` did not: nothing lost or repeated.
  void expect_next_run_completes(FakeLogs& api, const Outcome& first);

  common::FakeClock clock{common::from_epoch_ms(kNowMs)};
  std::function<void(int)> on_write;  ///< stdout's hook, for the next run()
  std::filesystem::path dir_;
  std::unique_ptr<modinput::CheckpointStore> store_;
};

std::string joined(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += l + "\n";
  return s;
}

void LoopTest::expect_clean_stop(const Outcome& r) {
  EXPECT_EQ(r.code, ingest::kExitOk);
  EXPECT_FALSE(r.has_level("ERROR")) << joined(r.logs);
  EXPECT_EQ(r.violations, 0);
}

void LoopTest::expect_next_run_completes(FakeLogs& api, const Outcome& first) {
  common::StopToken no_stop;
  common::FakeSleeper sleeper(&clock, &no_stop);
  api.on_call = {};
  on_write = {};
  const Outcome second = run(api, no_stop, sleeper, input(true));
  EXPECT_EQ(second.code, ingest::kExitOk) << joined(second.logs);
  std::vector<int> all = first.seqs();
  const auto more = second.seqs();
  all.insert(all.end(), more.begin(), more.end());
  ASSERT_EQ(all.size(), api.events.size()) << "lost or repeated events";
  EXPECT_EQ(std::set<int>(all.begin(), all.end()).size(), api.events.size());
}

TEST_F(LoopTest, EventsAreFlushedBeforeTheCheckpointThatCoversThem) {
  for (auto interval : {0ms, 5000ms}) {
    SCOPED_TRACE(interval.count());
    TearDown();
    SetUp();
    FakeLogs api(500, 37);
    common::StopToken stop;
    common::FakeSleeper sleeper(&clock, &stop);
    const Outcome r = run(api, stop, sleeper, input(true, interval));
    EXPECT_EQ(r.code, ingest::kExitOk) << joined(r.logs);
    EXPECT_EQ(r.violations, 0);
    const auto seqs = r.seqs();
    ASSERT_EQ(seqs.size(), 500u);
    for (int i = 0; i < 500; ++i) EXPECT_EQ(seqs[static_cast<std::size_t>(i)], i);
    EXPECT_FALSE(r.has_level("ERROR")) << joined(r.logs);
    EXPECT_NE(r.out.find("</stream>"), std::string::npos);
  }
}

// SIGTERM while a request is in flight (at call N), or while stdout takes a page (at write N,
// with checkpoints held back by checkpoint_interval): the page is finished, its checkpoint
// saved, and the next run delivers the rest without repeats.
TEST_F(LoopTest, AStopFinishesThePageAndTheNextRunRepeatsNothing) {
  struct Case {
    bool at_write;
    int n;
  };
  const Case cases[] = {{false, 1},  {false, 4}, {false, 5}, {false, 9},
                        {false, 14}, {true, 1},  {true, 2},  {true, 5}};
  for (bool exit_when_caught_up : {true, false}) {
    for (const Case& c : cases) {
      SCOPED_TRACE(std::to_string(exit_when_caught_up) +
                   (c.at_write ? " stop at write " : " stop at call ") + std::to_string(c.n));
      TearDown();
      SetUp();
      FakeLogs api(300, 25);
      common::StopToken stop;
      common::FakeSleeper sleeper(&clock, &stop);
      auto stop_at = [&, n = c.n](int k) {
        if (k == n) stop.request_stop();
      };
      (c.at_write ? on_write : api.on_call) = stop_at;
      const Outcome first =
          run(api, stop, sleeper, input(exit_when_caught_up, c.at_write ? 5000ms : 0ms));
      expect_clean_stop(first);
      if (c.at_write) {
        EXPECT_FALSE(first.seqs().empty());
        EXPECT_LT(first.seqs().size(), 300u) << "stopped early";
      } else {
        EXPECT_EQ(api.calls, c.n) << "no call after the stop request";
        // The page in flight was delivered in full.
        EXPECT_EQ(first.seqs().size(), api.served.size());
        if (c.n >= 4) {
          EXPECT_GT(api.served.size(), 0u);
        }
      }
      expect_next_run_completes(api, first);
    }
  }
}

TEST_F(LoopTest, AStopDuringThePollSleepEndsQuietly) {
  FakeLogs api(40, 25);
  common::StopToken stop;
  common::FakeSleeper sleeper(&clock, &stop);
  sleeper.on_sleep = [&](std::chrono::milliseconds) { stop.request_stop(); };
  const Outcome r = run(api, stop, sleeper, input(false));
  EXPECT_EQ(r.code, ingest::kExitOk);
  EXPECT_EQ(r.seqs().size(), 40u);
  EXPECT_FALSE(r.has_level("ERROR")) << joined(r.logs);
  ASSERT_FALSE(sleeper.sleeps.empty());
  EXPECT_EQ(sleeper.sleeps.front(), 1000ms) << "the poll interval";
  EXPECT_NE(joined(r.logs).find("INFO stopped by signal after 40 events"), std::string::npos);
}

TEST_F(LoopTest, AFailedCycleNeverPromisesARetryTheProcessWillNotMake) {
  {
    FakeLogs api(10, 25);
    api.fail = true;
    common::StopToken stop;
    common::FakeSleeper sleeper(&clock, &stop);
    const Outcome r = run(api, stop, sleeper, input(true));
    EXPECT_EQ(r.code, ingest::kExitFailed);
    const std::string log = joined(r.logs);
    EXPECT_NE(log.find("ERROR input eks_audit_logs://t: cycle failed"), std::string::npos) << log;
    EXPECT_EQ(log.find("next try"), std::string::npos) << log;
    EXPECT_EQ(api.calls, 1);
  }
  {
    FakeLogs api(10, 25);
    api.fail = true;
    common::StopToken stop;
    common::FakeSleeper sleeper(&clock, &stop);
    sleeper.on_sleep = [&](std::chrono::milliseconds) {
      if (api.calls == 2) stop.request_stop();
    };
    const Outcome r = run(api, stop, sleeper, input(false));
    EXPECT_EQ(r.code, ingest::kExitOk) << "stopped on request";
    EXPECT_NE(joined(r.logs).find("next try in 1s"), std::string::npos);
    EXPECT_EQ(api.calls, 2) << "the promised retry was made";
  }
}

TEST_F(LoopTest, TheEventTimeIsInjected) {
  FakeLogs api(3, 25);
  common::StopToken stop;
  common::FakeSleeper sleeper(&clock, &stop);
  const Outcome r = run(api, stop, sleeper, input(true),
                        [](const aws::LogEvent& e) { return e.timestamp_ms + 1234; });
  EXPECT_NE(r.out.find("<time>" + modinput::format_time_ms(api.events[0].timestamp_ms + 1234) +
                       "</time>"),
            std::string::npos)
      << r.out;
}

// The real client: a stop while it waits for the rate limiter or sleeps in a retry backoff is
// a quiet end, not an ERROR, and the loop exits 0 whatever exit_when_caught_up says.
struct ClientRig {
  aws::testing::FakeHttp http;
  aws::StaticProvider creds{aws::Credentials{"AKIDEXAMPLE", "SECRETEXAMPLEKEY", "", {}, "test"}};
  std::unique_ptr<aws::CloudWatchLogsClient> client;
  ClientRig(common::FakeClock& clock, common::Sleeper& sleeper,
            std::shared_ptr<aws::TokenBucket> limiter) {
    aws::MapEnvironment env;
    aws::LogsClientConfig cfg;
    cfg.endpoint = *aws::resolve_logs_endpoint(
        {.region = "us-east-1", .explicit_url = "http://127.0.0.1:4566"}, env);
    client = std::make_unique<aws::CloudWatchLogsClient>(cfg, http, creds, clock, sleeper,
                                                         std::move(limiter), [] { return 0.5; });
  }
};

TEST_F(LoopTest, AStopInARateLimiterWaitOrARetryBackoffIsNotAnError) {
  for (bool backoff : {false, true}) {
    for (bool exit_when_caught_up : {true, false}) {
      SCOPED_TRACE(std::string(backoff ? "backoff" : "rate limiter") +
                   (exit_when_caught_up ? " exit_when_caught_up" : ""));
      TearDown();
      SetUp();
      common::StopToken stop;
      common::FakeSleeper sleeper(&clock, &stop);
      sleeper.on_sleep = [&](std::chrono::milliseconds) { stop.request_stop(); };
      auto limiter = std::make_shared<aws::TokenBucket>(1.0, 1.0, clock);
      ClientRig rig(clock, sleeper, limiter);
      int served = 0;
      rig.http.handler = [&](const common::HttpRequest&) -> common::Result<common::HttpResponse> {
        ++served;
        common::HttpResponse resp;
        if (backoff) {
          resp.status = 503;
          resp.body = R"({"__type":"ServiceUnavailableException","message":"busy"})";
        } else {  // one page with a token, so a second call must wait for the limiter
          resp.status = 200;
          resp.body = R"({"events":[{"eventId":"1","logStreamName":")" + std::string(kStream) +
                      R"(","timestamp":)" + std::to_string(kNowMs - 3'000'000) +
                      R"(,"ingestionTime":1,"message":"{\"seq\":7}"}],"nextToken":"t1"})";
        }
        return resp;
      };
      const Outcome r = run(*rig.client, stop, sleeper, input(exit_when_caught_up));
      EXPECT_EQ(r.code, ingest::kExitOk) << joined(r.logs);
      EXPECT_FALSE(r.has_level("ERROR")) << joined(r.logs);
      EXPECT_EQ(joined(r.logs).find("next try"), std::string::npos) << joined(r.logs);
      EXPECT_EQ(served, 1);
      EXPECT_EQ(r.seqs().size(), backoff ? 0u : 1u);
      EXPECT_NE(r.out.find("</stream>"), std::string::npos);
    }
  }
}

}  // namespace
