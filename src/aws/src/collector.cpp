#include "kubepriv/aws/collector.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>  // std::max, std::min
#include <cstdint>    // INT64_MIN
#include <nlohmann/json.hpp>
#include <tuple>   // std::tuple_size_v
#include <vector>  // std::vector

#include "kubepriv/aws/sigv4.hpp"
#include "kubepriv/common/ascii.hpp"
#include "kubepriv/common/decimal.hpp"
#include "kubepriv/common/hex.hpp"

namespace kubepriv::aws {

using common::ErrorCode;
using common::fail;
using common::Result;

Result<StartPosition> parse_start_position(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  const std::string l = common::ascii_lower(text);
  StartPosition p;
  if (l == "now" || l == "end" || l == "latest") return p;
  if (l == "beginning" || l == "oldest") {
    p.kind = StartPosition::Kind::kBeginning;
    return p;
  }
  if (!l.empty() && l.front() == '-') {
    const auto num = common::parse_decimal_prefix<std::uint64_t>(std::string_view(l).substr(1));
    if ((!num && num.error().code == ErrorCode::kInvalidArgument) ||
        (num && num->first > 1'000'000'000)) {
      return fail(ErrorCode::kInvalidArgument, "start position: relative value too large");
    }
    if (!num || num->second.size() != 1) {
      return fail(ErrorCode::kInvalidArgument,
                  "start position '" + std::string(text) +
                      "': relative form is -<number><s|m|h|d>, e.g. -1h");
    }
    std::int64_t unit = 0;
    switch (num->second.front()) {
      case 's': unit = 1000; break;
      case 'm': unit = 60'000; break;
      case 'h': unit = 3'600'000; break;
      case 'd': unit = 86'400'000; break;
      default:
        return fail(ErrorCode::kInvalidArgument,
                    "start position '" + std::string(text) + "': unit must be s, m, h or d");
    }
    p.kind = StartPosition::Kind::kRelative;
    p.value_ms = static_cast<std::int64_t>(num->first) * unit;
    return p;
  }
  auto t = parse_timestamp(text);
  if (!t) {
    return fail(ErrorCode::kInvalidArgument, "start position '" + std::string(text) +
                                                 "' is not 'now', 'beginning', an RFC 3339 time "
                                                 "(2024-05-01T00:00:00Z) or -<n><s|m|h|d>");
  }
  p.kind = StartPosition::Kind::kAbsolute;
  p.value_ms = common::to_epoch_ms(*t);
  return p;
}

CollectorState::SeenKey CollectorState::key_of(std::string_view log_stream_name,
                                               std::string_view event_id) {
  std::string material;
  material.reserve(log_stream_name.size() + 1 + event_id.size());
  material.append(log_stream_name);
  material.push_back('\0');
  material.append(event_id);
  const std::string digest = sha256_hex(material);  // 64 hex chars
  const auto bytes =
      common::hex_decode(std::string_view(digest).substr(0, 2 * std::tuple_size_v<SeenKey>));
  SeenKey k{};
  if (bytes) std::copy(bytes->begin(), bytes->end(), k.begin());
  return k;
}

namespace {

std::string key_hex(const CollectorState::SeenKey& k) {
  return common::hex_encode(std::string_view(reinterpret_cast<const char*>(k.data()), k.size()));
}

// Either hex case (the state is written in lower case).
bool parse_key_hex(const std::string& text, CollectorState::SeenKey& out) {
  const auto bytes = common::hex_decode(text);
  if (!bytes || bytes->size() != out.size()) return false;
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return true;
}

}  // namespace

std::string CollectorState::to_json() const {
  // Written by hand: the seen-set can hold 10^5-10^6 entries and is saved after every page, so
  // no intermediate JSON tree (it cost ~5x the time and memory of the text itself).
  std::string out = "{\"version\":2,\"floor_ms\":";
  out += floor_ms ? std::to_string(*floor_ms) : "null";
  out += ",\"ckpt_end_ms\":";
  out += ckpt_end_ms ? std::to_string(*ckpt_end_ms) : "null";
  out += ",\"window\":";
  if (window) {
    nlohmann::json w = {{"start_ms", window->start_ms},
                        {"end_ms", window->end_ms},
                        {"next_token", window->next_token}};
    out += w.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    out += "null";
  }
  out += ",\"seen\":[";
  std::vector<std::pair<SeenKey, std::int64_t>> sorted(seen.begin(), seen.end());
  std::sort(sorted.begin(), sorted.end());
  out.reserve(out.size() + sorted.size() * 56 + 2);
  bool first = true;
  for (const auto& [key, ts] : sorted) {
    if (!first) out += ',';
    first = false;
    out += "[\"";
    out += key_hex(key);
    out += "\",";
    out += std::to_string(ts);
    out += ']';
  }
  out += "]}";
  return out;
}

Result<CollectorState> CollectorState::from_json(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return fail(ErrorCode::kParse, "collector state is not a JSON object");
  auto version = j.find("version");
  if (version == j.end() || !version->is_number_integer() ||
      (version->get<int>() != 1 && version->get<int>() != 2)) {
    return fail(ErrorCode::kParse, "collector state: unsupported or missing version");
  }
  CollectorState s;
  auto opt_int = [&](const char* key, std::optional<std::int64_t>& dst) -> bool {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return true;
    if (!it->is_number_integer()) return false;
    dst = it->get<std::int64_t>();
    return true;
  };
  if (!opt_int("floor_ms", s.floor_ms) || !opt_int("ckpt_end_ms", s.ckpt_end_ms)) {
    return fail(ErrorCode::kParse,
                "collector state: floor_ms/ckpt_end_ms must be integers or null");
  }
  // Times stay within [1970, 2200] so window arithmetic can never overflow.
  constexpr std::int64_t kMaxMs = 7'258'118'400'000;
  auto sane = [](std::int64_t v) { return v >= 0 && v <= kMaxMs; };
  if ((s.floor_ms && !sane(*s.floor_ms)) || (s.ckpt_end_ms && !sane(*s.ckpt_end_ms))) {
    return fail(ErrorCode::kParse, "collector state: floor_ms/ckpt_end_ms out of range");
  }
  if (auto w = j.find("window"); w != j.end() && !w->is_null()) {
    if (!w->is_object())
      return fail(ErrorCode::kParse, "collector state: window must be an object");
    auto a = w->find("start_ms"), b = w->find("end_ms"), t = w->find("next_token");
    if (a == w->end() || b == w->end() || !a->is_number_integer() || !b->is_number_integer() ||
        (t != w->end() && !t->is_string())) {
      return fail(ErrorCode::kParse,
                  "collector state: window needs integer start_ms/end_ms and a string next_token");
    }
    Window win;
    win.start_ms = a->get<std::int64_t>();
    win.end_ms = b->get<std::int64_t>();
    if (t != w->end()) win.next_token = t->get<std::string>();
    if (win.end_ms < win.start_ms || !sane(win.start_ms) || !sane(win.end_ms)) {
      return fail(ErrorCode::kParse,
                  "collector state: window out of range or ending before it starts");
    }
    s.window = win;
  }
  if (auto seen = j.find("seen"); seen != j.end()) {
    if (!seen->is_array()) return fail(ErrorCode::kParse, "collector state: seen must be an array");
    const bool v1 = version->get<int>() == 1;
    s.seen.reserve(seen->size());
    for (const auto& e : *seen) {
      if (v1) {
        if (!e.is_array() || e.size() != 3 || !e[0].is_string() || !e[1].is_string() ||
            !e[2].is_number_integer()) {
          return fail(ErrorCode::kParse,
                      "collector state: seen entries are [stream, eventId, timestamp]");
        }
        s.seen[key_of(e[0].get<std::string>(), e[1].get<std::string>())] = e[2].get<std::int64_t>();
        continue;
      }
      SeenKey k{};
      if (!e.is_array() || e.size() != 2 || !e[0].is_string() || !e[1].is_number_integer() ||
          !parse_key_hex(e[0].get<std::string>(), k)) {
        return fail(ErrorCode::kParse,
                    "collector state: seen entries are [\"<32 hex digits>\", timestamp]");
      }
      s.seen[k] = e[1].get<std::int64_t>();
    }
  }
  return s;
}

Collector::Collector(LogsApi& api, const common::Clock& clock, CollectorConfig config)
    : api_(api), clock_(clock), config_(std::move(config)) {}

Result<void> Collector::restore(std::string_view state_json) {
  bool blank = true;
  for (char c : state_json) blank = blank && (c == ' ' || c == '\n' || c == '\r' || c == '\t');
  if (blank) {
    state_ = CollectorState{};
    return {};
  }
  auto s = CollectorState::from_json(state_json);
  if (!s) return tl::unexpected(s.error());
  state_ = std::move(*s);
  return {};
}

FilterLogEventsRequest Collector::group_request() const {
  FilterLogEventsRequest req;
  req.log_group_name = config_.log_group_name;
  req.log_group_identifier = config_.log_group_identifier;
  req.log_stream_name_prefix = config_.stream_prefix;
  return req;
}

Result<std::int64_t> Collector::probe_oldest(std::int64_t end_ms, int& pages) {
  FilterLogEventsRequest req = group_request();
  req.start_time_ms = 0;
  req.end_time_ms = end_ms;
  req.limit = 1;
  while (pages < config_.max_pages_per_cycle) {
    auto page = api_.filter_log_events(req);
    ++pages;
    if (!page) return tl::unexpected(page.error());
    for (const auto& ev : page->events) {
      if (ev.log_stream_name.rfind(config_.stream_prefix, 0) == 0) return ev.timestamp_ms;
    }
    if (!page->next_token) return end_ms;  // nothing stored yet: start at the present
    req.next_token = *page->next_token;
  }
  return fail(ErrorCode::kUnavailable,
              "probing the oldest event: page budget used up; will continue next cycle");
}

namespace {
// a - b without overflow (configuration values are not trusted to be small).
std::int64_t sat_sub(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_sub_overflow(a, b, &r)) return b > 0 ? INT64_MIN : INT64_MAX;
  return r;
}
}  // namespace

Result<void> Collector::resolve_floor(std::int64_t now_ms, std::int64_t target_end,
                                      CycleStats& stats, EventSink& sink) {
  std::int64_t floor = target_end;
  switch (config_.start.kind) {
    case StartPosition::Kind::kNow: floor = target_end; break;
    case StartPosition::Kind::kAbsolute: floor = config_.start.value_ms; break;
    case StartPosition::Kind::kRelative: floor = sat_sub(now_ms, config_.start.value_ms); break;
    case StartPosition::Kind::kBeginning: {
      auto oldest = probe_oldest(target_end, stats.pages);
      if (!oldest) return tl::unexpected(oldest.error());
      floor = *oldest;
      break;
    }
  }
  floor = std::max<std::int64_t>(0, floor);
  state_.floor_ms = floor;
  // Persist the resolved start at once: a restart must not re-resolve "now" later and skip.
  if (auto c = sink.commit(state_.to_json()); !c) return tl::unexpected(c.error());
  spdlog::info("collection starts at " + format_amz_date(common::from_epoch_ms(floor)));
  return {};
}

bool Collector::open_window(std::int64_t target_end) {
  const std::int64_t floor = *state_.floor_ms;
  const std::int64_t overlap = config_.overlap.count();
  const std::int64_t max_window = std::max<std::int64_t>(1000, config_.max_window.count());
  const std::int64_t base = state_.ckpt_end_ms ? *state_.ckpt_end_ms : floor;
  const std::int64_t start =
      state_.ckpt_end_ms ? std::max(sat_sub(*state_.ckpt_end_ms, overlap), floor) : floor;
  if (target_end <= base) return false;
  CollectorState::Window w;
  w.start_ms = start;
  w.end_ms = sat_sub(target_end, base) > max_window ? base + max_window : target_end;
  if (w.end_ms < w.start_ms) w.end_ms = w.start_ms;
  state_.window = w;
  return true;
}

Result<std::uint64_t> Collector::emit_page(const FilterLogEventsPage& page, EventSink& sink,
                                           CycleStats& stats) {
  std::uint64_t emitted = 0;
  for (const auto& ev : page.events) {
    if (ev.log_stream_name.rfind(config_.stream_prefix, 0) != 0) {
      ++stats.foreign_stream_events;
      continue;
    }
    auto key = CollectorState::key_of(ev.log_stream_name, ev.event_id);
    if (state_.seen.find(key) != state_.seen.end()) {
      ++stats.duplicates_dropped;
      continue;
    }
    if (auto r = sink.on_event(ev); !r) return tl::unexpected(r.error());
    state_.seen.emplace(key, ev.timestamp_ms);
    ++emitted;
    if (state_.ckpt_end_ms && ev.timestamp_ms <= *state_.ckpt_end_ms) ++stats.late_events;
    std::int64_t delay = 0;
    if (ev.ingestion_time_ms > 0 &&
        !__builtin_sub_overflow(ev.ingestion_time_ms, ev.timestamp_ms, &delay)) {
      stats.max_ingestion_delay_ms = std::max(stats.max_ingestion_delay_ms, delay);
    }
  }
  stats.events_emitted += emitted;
  if (page.events.empty()) ++stats.empty_pages;
  return emitted;
}

void Collector::complete_window() {
  const std::int64_t end = state_.window->end_ms;
  state_.ckpt_end_ms = end;
  state_.window.reset();
  const std::int64_t horizon = std::max(sat_sub(end, config_.overlap.count()), *state_.floor_ms);
  for (auto it = state_.seen.begin(); it != state_.seen.end();) {
    it = it->second < horizon ? state_.seen.erase(it) : std::next(it);
  }
}

Result<CycleStats> Collector::run_cycle(EventSink& sink) {
  CycleStats stats;
  const auto started = clock_.monotonic();
  const std::int64_t now_ms = common::to_epoch_ms(clock_.now() + api_.clock_offset());
  const std::int64_t target_end = sat_sub(now_ms, config_.latency.count());
  if (!state_.floor_ms) {
    if (auto r = resolve_floor(now_ms, target_end, stats, sink); !r) {
      return tl::unexpected(r.error());
    }
  }
  bool dirty = false;
  bool token_restarted_this_window = false;
  auto commit = [&]() -> Result<void> {
    auto c = sink.commit(state_.to_json());
    if (c) dirty = false;
    return c;
  };

  for (;;) {
    if (sink.stop_requested()) break;
    if (stats.pages >= config_.max_pages_per_cycle ||
        clock_.monotonic() - started > config_.cycle_budget)
      break;
    if (!state_.window) {
      if (!open_window(target_end)) {
        stats.caught_up = true;
        break;
      }
      token_restarted_this_window = false;
    }
    auto& w = *state_.window;
    FilterLogEventsRequest req = group_request();
    req.start_time_ms = w.start_ms;
    req.end_time_ms = w.end_ms;
    req.next_token = w.next_token;
    req.limit = config_.page_limit;
    auto page = api_.filter_log_events(req);
    ++stats.pages;
    if (!page) {
      const auto detail = api_.last_error();
      if (!w.next_token.empty() && detail && detail->error_class == ErrorClass::kInvalidToken &&
          !token_restarted_this_window) {
        // An expired (24 h) or unknown token: read the window again; the seen-set drops repeats.
        spdlog::warn("nextToken rejected; restarting the window from its start");
        w.next_token.clear();
        token_restarted_this_window = true;
        stats.token_restarts = true;
        continue;
      }
      // Keep the progress made so far; if that fails too, the next cycle reads these pages again
      // (repeats, no loss) and the log says why.
      if (dirty) {
        if (auto c = commit(); !c)
          spdlog::warn("could not save the progress before the failed page: {}", c.error().message);
      }
      return tl::unexpected(page.error());
    }
    auto emitted = emit_page(*page, sink, stats);
    if (!emitted) return tl::unexpected(emitted.error());
    if (*emitted > 0) dirty = true;
    if (page->next_token) {
      w.next_token = *page->next_token;
      if (*emitted > 0) {
        if (auto c = commit(); !c) return tl::unexpected(c.error());
      } else {
        dirty = true;  // token progress only: saved at the end of the cycle
      }
      continue;
    }
    // Window complete: advance the checkpoint and forget ids that can no longer come back.
    complete_window();
    ++stats.windows_completed;
    if (auto c = commit(); !c) return tl::unexpected(c.error());
  }
  if (dirty) {
    if (auto c = commit(); !c) return tl::unexpected(c.error());
  }
  stats.checkpoint_end_ms = state_.ckpt_end_ms;
  return stats;
}

}  // namespace kubepriv::aws
