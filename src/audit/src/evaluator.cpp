// The audit adapter's hot path. Two readings of an event, which give the same verdict:
//   * Whole-event DOM (the default): one parse (stage 1 + stage 2) of the event; envelope and
//     bodies are read from the same tape, so every byte is indexed once.
//   * On-Demand: the envelope is read in document order; requestObject/responseObject are only
//     located (raw_json) and DOM-parsed again for pod-spec writes (their bodies are indexed
//     twice and walked a third time to skip them).
// Measured (bench/RESULTS.md, issue 13): the DOM reading is faster on pod-spec writes and on
// small events of any kind (stage 2 builds the tape with the runtime-dispatched SIMD kernel, and
// walking the tape is cheaper than On-Demand's field-by-field navigation); On-Demand is faster
// on large events whose bodies are only skipped (a `list` of pods), where stage 2 would build a
// tape nobody reads (re-measured in session 4 with both readings in place: on the typical mix's
// reads, leases and events of 0.5-2 KB the DOM reading still takes ~20 % less CPU; with a body
// that is only skipped, On-Demand wins from ~4 KB). kAuto picks by size and, for large events,
// by a guess from the first `"verb":"` and `"resource":"` (prefer_dom): a wrong guess costs
// speed, never a different verdict. The DOM reading accepts only an event that parses and whose
// envelope reads cleanly; anything else (a parse or type error, not an audit event) is read
// again On-Demand, which owns every error message, the salvage of cut events and the cloud
// wrappers. So the readings cannot disagree on an error.
#include "kubepriv/audit/evaluator.hpp"

#include <simdjson.h>
#include <string.h>  // memmem (glibc)

#include <cstddef>  // std::size_t
#include <cstdint>  // std::uintptr_t
#include <cstring>  // std::memcpy
#if defined(__SSE2__)
#include <emmintrin.h>  // _mm_cmpeq_epi8 ...
#endif
#include <memory>       // std::unique_ptr
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <utility>      // std::move
#include <vector>       // std::vector

#include "body.hpp"
#include "json_key.hpp"
#include "kubepriv/core/event.hpp"
#include "salvage.hpp"
#include "wrappers.hpp"

namespace kubepriv::audit {

namespace {

namespace od = simdjson::ondemand;
using detail::key_is;
using simdjson::SUCCESS;

// The first `"` or `\\` at or after `p` (or `end`). Keys are short, so a byte loop with two
// compares per byte was 16 % of the instructions of a typical event; SSE2 (baseline x86-64)
// tests 16 bytes per step. Every 16-byte load stays below `end`, the end of the padded buffer.
const char* quote_or_backslash(const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const int mask =
        _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
    if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
    p += 16;
  }
#endif
  while (p < end && *p != '"' && *p != '\\') ++p;
  return p;
}

// The key of an On-Demand field. The common case (no escapes) is a view of the raw bytes; a key
// with a backslash is unescaped, so `"privil\u0065ged"` reads as `privileged`. Stage 1 has
// already rejected unterminated strings; `end` (the end of the padded buffer) is a second guard.
bool key_of(od::field& f, const char* end, std::string_view& out) {
  const auto* p = reinterpret_cast<const char*>(f.key().raw());
  const char* q = quote_or_backslash(p, end);
  if (q < end && *q == '"') {
    out = std::string_view(p, static_cast<std::size_t>(q - p));
    return true;
  }
  return f.unescaped_key().get(out) == SUCCESS;
}

// The envelope members both readings look at; kOther for every other key.
enum class Member : unsigned char {
  kOther,
  kAuditId,
  kApiVersion,
  kKind,
  kVerb,
  kRequestUri,
  kStage,
  kUserAgent,
  kAnnotations,
  kImpersonatedUser,
  kObjectRef,
  kRequestObject,
  kResponseObject,
  kResponseStatus,
  kSourceIps,
  kUser,
};

// The member named by the first literal equal to `k` (literals of one length), else kOther.
Member first_match(std::string_view /*k*/) noexcept {
  return Member::kOther;
}
template <std::size_t N, typename... Rest>
Member first_match(std::string_view k, const char (&lit)[N], Member m, const Rest&... rest) {
  return key_is(k, lit) ? m : first_match(k, rest...);
}

// One switch on the key's length, then at most three word compares.
[[gnu::always_inline]] inline Member member_of(std::string_view k) noexcept {
  using M = Member;
  switch (k.size()) {
    case 4: return first_match(k, "kind", M::kKind, "verb", M::kVerb, "user", M::kUser);
    case 5: return first_match(k, "stage", M::kStage);
    case 7: return first_match(k, "auditID", M::kAuditId);
    case 9:
      return first_match(k, "objectRef", M::kObjectRef, "userAgent", M::kUserAgent, "sourceIPs",
                         M::kSourceIps);
    case 10: return first_match(k, "apiVersion", M::kApiVersion, "requestURI", M::kRequestUri);
    case 11: return first_match(k, "annotations", M::kAnnotations);
    case 13: return first_match(k, "requestObject", M::kRequestObject);
    case 14:
      return first_match(k, "responseStatus", M::kResponseStatus, "responseObject",
                         M::kResponseObject);
    case 16: return first_match(k, "impersonatedUser", M::kImpersonatedUser);
    default: return M::kOther;
  }
}

// The first occurrence of `needle` (a JSON key with its `":"`, 8 bytes or more) in `head`, or
// null. glibc's memmem was ~2 % of a write-heavy event's CPU; this tests 16 positions per step
// for needle[1] (the key's first letter) and needle[n - 2] (its `:`), the pair of bytes that is
// rare in JSON text, and compares the whole needle only there (W. Mula's SIMD substring search).
// Every load stays inside `head`; the last positions fall back to memmem.
template <std::size_t N>
const char* find_key(std::string_view head, const char (&needle)[N]) {
  constexpr std::size_t n = N - 1;
  static_assert(n >= 8);
  const char* p = head.data();
  const char* const end = head.data() + head.size();
#if defined(__SSE2__)
  const __m128i first = _mm_set1_epi8(needle[1]);
  const __m128i colon = _mm_set1_epi8(needle[n - 2]);
  // Candidates p + i for i in [0, 16): their bytes 1 and n - 2 are loaded, and p + 15 + n <= end.
  while (end - p >= static_cast<std::ptrdiff_t>(n + 15)) {
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 1));
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + n - 2));
    auto mask = static_cast<unsigned>(
        _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(b, colon))));
    while (mask != 0) {
      const char* at = p + __builtin_ctz(mask);
      if (std::memcmp(at, needle, n) == 0) return at;
      mask &= mask - 1;
    }
    p += 16;
  }
#endif
  const void* at = ::memmem(p, static_cast<std::size_t>(end - p), needle, n);
  return static_cast<const char*>(at);
}

// The JSON string value that follows the first `needle` (which ends with `"`) in `head`; empty
// when absent or escaped.
template <std::size_t N>
std::string_view string_after(std::string_view head, const char (&needle)[N]) {
  const char* at = find_key(head, needle);
  if (at == nullptr) return {};
  const char* value = at + N - 1;
  const char* const end = head.data() + head.size();
  // find_first_of("\"\\") was a memchr call per byte of the value.
  const char* q = quote_or_backslash(value, end);
  if (q == end || *q != '"') return {};
  return {value, static_cast<std::size_t>(q - value)};
}

// kAuto: whether the DOM reading is likely the faster one for `event`. Small events: always.
// Large ones: only pod-spec writes, guessed from the API server's field order (verb and
// objectRef come before the bodies, objectRef after verb: the resource is looked for past the
// verb, not again from the start).
bool prefer_dom(std::string_view event) {
  constexpr std::size_t kSmall = 4096;
  if (event.size() <= kSmall) return true;
  const std::string_view head = event.substr(0, kSmall);
  const std::string_view verb = string_after(head, R"("verb":")");
  if (verb != "create" && verb != "update" && verb != "patch") return false;
  const std::string_view rest =
      head.substr(static_cast<std::size_t>(verb.data() + verb.size() - head.data()));
  return core::find_carrier(string_after(rest, R"("resource":")"), std::nullopt) != nullptr;
}

// Whether `s` holds only JSON whitespace (find_first_not_of is a memchr call per byte).
bool blank(std::string_view s) noexcept {
  for (const char c : s) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  }
  return true;
}

// Whether simdjson may parse `s` where it lies, without the padded copy. simdjson reads up to
// SIMDJSON_PADDING bytes past the end of its input and never interprets them (stage 1 copies
// the last partial block into a blank-filled one; strings, numbers and atoms of an object stop
// at bytes inside it), so those bytes only need to be readable: they are when they lie in the
// same page as the last byte of the event (4 KiB, the smallest page on x86-64 and aarch64).
// The copy was 11-16 % of the instructions per event. Not under AddressSanitizer, which
// rightly reports the read past the caller's allocation.
bool parse_in_place(std::string_view s) {
#if defined(__SANITIZE_ADDRESS__)
  return false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
  return false;
#endif
#endif
  constexpr std::uintptr_t kPage = 4096;
  const auto last = reinterpret_cast<std::uintptr_t>(s.data()) + s.size() - 1;
  return !s.empty() && last / kPage == (last + simdjson::SIMDJSON_PADDING) / kPage;
}

// A DOM string member into `out`; false when it is not a string.
bool dom_string(simdjson::dom::element v, std::string& out) {
  std::string_view s;
  if (v.get_string().get(s) != SUCCESS) return false;
  out.assign(s);
  return true;
}

}  // namespace

struct Evaluator::Impl {
  explicit Impl(Reading r) : reading(r) {}

  Reading reading;
  od::parser parser;
  simdjson::dom::parser dom;
  simdjson::dom::parser patch_dom;  // JSON-patch skeletons (`dom` may hold the whole event)
  std::unique_ptr<char[]> buf;
  std::size_t buf_capacity = 0;
  core::Verdict verdict;

  // Envelope scratch (reused between events).
  std::string kind;
  std::string api_version;
  std::string api_group;
  bool has_api_group = false;
  bool has_kind = false;
  bool has_api_version = false;
  bool has_audit_id = false;
  bool has_verb = false;
  std::string response_message;
  std::string psa_audit;
  bool has_response_code = false;
  std::string_view request_raw;
  std::string_view response_raw;
  bool request_is_array = false;
  // The whole-event DOM reading: the bodies as elements of `dom`'s document.
  bool dom_read = false;
  simdjson::dom::element request_el;
  simdjson::dom::element response_el;
  bool has_request_el = false;
  bool has_response_el = false;

  core::PodSpec spec;
  detail::ContainerPool pool;  // spec's dropped containers, reused with their storage
  core::SpecWrite write;
  core::EventFacts facts;
  detail::BodyMeta request_meta;
  detail::BodyMeta response_meta;
  bool bodies_used = false;  // write and the metas hold a pod-spec write's findings (reset clears)
  std::string skeleton;

  // Cut events (salvage.hpp): only touched after a parse failure.
  bool json_failed = false;      // the failure was the JSON text itself, not a field's content
  bool no_audit_fields = false;  // a JSON object without kind, apiVersion or auditID
  bool salvaging = false;        // judging the repaired prefix of a cut event
  bool request_partial = false;
  bool response_partial = false;
  std::string repaired;
  std::string unwrapped;  // the audit event inside a cloud wrapper
  detail::Cut cut;
  detail::RepairScratch repair_scratch;

  // Spare strings for user.groups, reused from one event to the next: a group such as
  // "system:authenticated" does not fit a string's inline buffer, so a fresh string per group
  // was a malloc and a free on nearly every event. Only small ones are kept, at most kSpare.
  std::vector<std::string> spare_groups;

  void clear_groups() {
    constexpr std::size_t kSpare = 64;
    constexpr std::size_t kSpareCapacity = 256;
    for (auto& g : verdict.user_groups) {
      if (spare_groups.size() < kSpare && g.capacity() <= kSpareCapacity) {
        spare_groups.push_back(std::move(g));
      }
    }
    verdict.user_groups.clear();
  }
  void add_group(std::string_view s) {
    if (spare_groups.empty()) {
      verdict.user_groups.emplace_back(s);
      return;
    }
    verdict.user_groups.push_back(std::move(spare_groups.back()));
    spare_groups.pop_back();
    verdict.user_groups.back().assign(s);
  }

  void reset() {
    clear_groups();
    verdict.clear();
    kind.clear();
    api_version.clear();
    api_group.clear();
    has_api_group = has_kind = has_api_version = has_audit_id = has_verb = false;
    response_message.clear();
    psa_audit.clear();
    has_response_code = false;
    request_raw = {};
    response_raw = {};
    request_is_array = false;
    dom_read = has_request_el = has_response_el = false;
    if (bodies_used) {
      write.clear();
      request_meta.clear();
      response_meta.clear();
      bodies_used = false;
    }
    facts.psa_texts.clear();
    json_failed = salvaging = no_audit_fields = false;
    request_partial = response_partial = false;
  }

  // The end of the padding after the text the On-Demand reading iterates (key_of's guard).
  const char* padded_end = nullptr;
  [[nodiscard]] const char* buf_end() const noexcept { return padded_end; }

  std::string_view padded_copy(std::string_view in) {
    const std::size_t need = in.size() + simdjson::SIMDJSON_PADDING;
    if (need > buf_capacity) {
      buf = std::make_unique<char[]>(need);
      buf_capacity = need;
    }
    if (!in.empty()) std::memcpy(buf.get(), in.data(), in.size());
    std::memset(buf.get() + in.size(), 0, simdjson::SIMDJSON_PADDING);
    return {buf.get(), in.size()};
  }

  bool fail(std::string message) {
    verdict.error = std::move(message);
    return false;
  }
  bool fail_json(simdjson::error_code e, std::string_view input) {
    json_failed = true;
    if (input.ends_with("[Truncated...]")) {
      return fail("event truncated upstream (ends with [Truncated...]), not valid JSON");
    }
    return fail(core::concat({"not valid JSON: ", simdjson::error_message(e)}));
  }

  // The envelope's string members, one list for both readings: where the value of member `m`
  // goes (null for the others), and the flag that records its presence (`seen`, null for none).
  std::string* string_member(Member m, bool*& seen) {
    seen = nullptr;
    switch (m) {
      case Member::kAuditId: seen = &has_audit_id; return &verdict.audit_id;
      case Member::kApiVersion: seen = &has_api_version; return &api_version;
      case Member::kKind: seen = &has_kind; return &kind;
      case Member::kVerb: seen = &has_verb; return &verdict.verb;
      case Member::kRequestUri: return &verdict.request_uri;
      case Member::kStage: return &verdict.stage;
      case Member::kUserAgent: return &verdict.user_agent;
      default: return nullptr;
    }
  }

  // A string member: a JSON string, or absent. Anything else is a malformed event.
  bool read_string(od::value v, std::string_view name, std::string& out, std::string_view input) {
    std::string_view s;
    const auto e = v.get_string().get(s);
    if (e == simdjson::INCORRECT_TYPE)
      return fail(core::concat({"field ", name, " is not a string"}));
    if (e != SUCCESS) return fail_json(e, input);
    out.assign(s);
    return true;
  }

  bool read_object_ref(od::value v, std::string_view input) {
    od::object o;
    auto e = v.get_object().get(o);
    if (e == simdjson::INCORRECT_TYPE) return fail("field objectRef is not an object");
    if (e != SUCCESS) return fail_json(e, input);
    clear_object_ref();
    for (auto field_result : o) {
      od::field f;
      if ((e = std::move(field_result).get(f)) != SUCCESS) return fail_json(e, input);
      std::string_view k;
      if (!key_of(f, buf_end(), k)) return fail("objectRef has an unreadable key");
      std::string_view name;
      std::string* out = object_ref_member(k, name);
      if (out != nullptr && !read_string(f.value(), name, *out, input)) return false;
    }
    return true;
  }

  // objectRef's members, one list for both readings. A repeated objectRef replaces the earlier
  // one.
  void clear_object_ref() {
    verdict.resource.clear();
    verdict.subresource.clear();
    verdict.namespace_.clear();
    verdict.name.clear();
    has_api_group = false;
    api_group.clear();
  }
  // Where the value of objectRef's key `k` goes (null for other keys); `name` names it in errors.
  std::string* object_ref_member(std::string_view k, std::string_view& name) {
    if (key_is(k, "resource")) {
      name = "objectRef.resource";
      return &verdict.resource;
    }
    if (key_is(k, "namespace")) {
      name = "objectRef.namespace";
      return &verdict.namespace_;
    }
    if (key_is(k, "name")) {
      name = "objectRef.name";
      return &verdict.name;
    }
    if (key_is(k, "apiGroup")) {
      name = "objectRef.apiGroup";
      has_api_group = true;
      return &api_group;
    }
    if (key_is(k, "subresource")) {
      name = "objectRef.subresource";
      return &verdict.subresource;
    }
    return nullptr;
  }

  bool read_user(od::value v, std::string_view name, std::string& username, bool groups,
                 std::string_view input) {
    od::object o;
    auto e = v.get_object().get(o);
    if (e == simdjson::INCORRECT_TYPE)
      return fail(core::concat({"field ", name, " is not an object"}));
    if (e != SUCCESS) return fail_json(e, input);
    username.clear();
    if (groups) clear_groups();
    for (auto field_result : o) {
      od::field f;
      if ((e = std::move(field_result).get(f)) != SUCCESS) return fail_json(e, input);
      std::string_view k;
      if (!key_of(f, buf_end(), k)) return fail("user has an unreadable key");
      if (k == "username") {
        if (!read_string(f.value(), "username", username, input)) return false;
      } else if (groups && k == "groups") {
        od::array a;
        if ((e = f.value().get_array().get(a)) != SUCCESS) {
          if (e == simdjson::INCORRECT_TYPE) return fail("field user.groups is not an array");
          return fail_json(e, input);
        }
        clear_groups();
        for (auto item : a) {
          std::string_view s;
          if ((e = item.get_string().get(s)) != SUCCESS) {
            if (e == simdjson::INCORRECT_TYPE) return fail("user.groups holds a non-string");
            return fail_json(e, input);
          }
          add_group(s);
        }
      }
    }
    return true;
  }

  bool read_source_ips(od::value v, std::string_view input) {
    od::array a;
    auto e = v.get_array().get(a);
    if (e == simdjson::INCORRECT_TYPE) return fail("field sourceIPs is not an array");
    if (e != SUCCESS) return fail_json(e, input);
    verdict.src_ip.clear();
    bool first = true;
    for (auto item : a) {
      std::string_view s;
      if ((e = item.get_string().get(s)) != SUCCESS) {
        if (e == simdjson::INCORRECT_TYPE) return fail("sourceIPs holds a non-string");
        return fail_json(e, input);
      }
      if (first) verdict.src_ip.assign(s);
      first = false;
    }
    return true;
  }

  bool read_response_status(od::value v, std::string_view input) {
    od::object o;
    auto e = v.get_object().get(o);
    if (e == simdjson::INCORRECT_TYPE) return fail("field responseStatus is not an object");
    if (e != SUCCESS) return fail_json(e, input);
    has_response_code = false;
    verdict.response_code = 0;
    response_message.clear();
    for (auto field_result : o) {
      od::field f;
      if ((e = std::move(field_result).get(f)) != SUCCESS) return fail_json(e, input);
      std::string_view k;
      if (!key_of(f, buf_end(), k)) return fail("responseStatus has an unreadable key");
      if (k == "code") {
        std::int64_t code = 0;
        if ((e = f.value().get_int64().get(code)) != SUCCESS) {
          if (e == simdjson::INCORRECT_TYPE || e == simdjson::NUMBER_OUT_OF_RANGE)
            return fail("field responseStatus.code is not an integer");
          return fail_json(e, input);
        }
        if (code < 0 || code > 999) return fail("field responseStatus.code is out of range");
        verdict.response_code = static_cast<int>(code);
        has_response_code = true;
      } else if (k == "message") {
        std::string_view s;
        if (f.value().get_string().get(s) == SUCCESS) response_message.assign(s);
      }
    }
    return true;
  }

  bool read_annotations(od::value v, std::string_view input) {
    od::object o;
    auto e = v.get_object().get(o);
    if (e == simdjson::INCORRECT_TYPE) return true;  // not ours to judge; ignore
    if (e != SUCCESS) return fail_json(e, input);
    for (auto field_result : o) {
      od::field f;
      if ((e = std::move(field_result).get(f)) != SUCCESS) return fail_json(e, input);
      std::string_view k;
      if (!key_of(f, buf_end(), k)) return fail("annotations has an unreadable key");
      if (k == "pod-security.kubernetes.io/audit-violations") {
        std::string_view s;
        if (f.value().get_string().get(s) == SUCCESS) psa_audit.assign(s);
      }
    }
    return true;
  }

  // Locates a body without parsing it (raw_json skips it at structural-index speed).
  bool capture_body(od::value v, std::string_view& out, bool* is_array, std::string_view input) {
    od::json_type t;
    auto e = v.type().get(t);
    if (e != SUCCESS) return fail_json(e, input);
    out = {};
    if (t == od::json_type::object) {
      od::object o;
      if ((e = v.get_object().get(o)) != SUCCESS) return fail_json(e, input);
      if ((e = o.raw_json().get(out)) != SUCCESS) return fail_json(e, input);
      if (is_array != nullptr) *is_array = false;
    } else if (t == od::json_type::array && is_array != nullptr) {
      od::array a;
      if ((e = v.get_array().get(a)) != SUCCESS) return fail_json(e, input);
      if ((e = a.raw_json().get(out)) != SUCCESS) return fail_json(e, input);
      *is_array = true;
    }
    if (salvaging && !out.empty() && cut.open_value != std::string_view::npos &&
        out.data() == buf.get() + cut.open_value) {
      (is_array != nullptr ? request_partial : response_partial) = true;
    }
    return true;
  }

  bool read_envelope(std::string_view input) {
    const std::string_view padded = padded_copy(input);
    return read_envelope_padded(input, padded, buf_capacity);
  }

  // `padded` is `input`, followed by readable bytes up to `capacity` in all (at least
  // SIMDJSON_PADDING): its copy in `buf`, or the caller's text where parse_in_place allows.
  bool read_envelope_padded(std::string_view input, std::string_view padded, std::size_t capacity) {
    od::document doc;
    padded_end = padded.data() + capacity;
    auto e = parser.iterate(padded.data(), padded.size(), capacity).get(doc);
    if (e != SUCCESS) return fail_json(e, input);
    od::object obj;
    e = doc.get_object().get(obj);
    if (e == simdjson::INCORRECT_TYPE) {
      // Cold path: tell "valid JSON, but not an object" from "not JSON at all".
      simdjson::dom::element any;
      const auto de = dom.parse(padded.data(), padded.size(), false).get(any);
      if (de != SUCCESS) return fail_json(de, input);
      return fail("not an audit event: not a JSON object");
    }
    if (e != SUCCESS) return fail_json(e, input);
    for (auto field_result : obj) {
      od::field f;
      if ((e = std::move(field_result).get(f)) != SUCCESS) return fail_json(e, input);
      std::string_view k;
      if (!key_of(f, buf_end(), k)) return fail_json(simdjson::STRING_ERROR, input);
      const Member m = member_of(k);
      bool ok = true;
      bool* seen = nullptr;
      if (std::string* out = string_member(m, seen)) {
        ok = read_string(f.value(), k, *out, input);
        if (seen != nullptr) *seen = true;
      } else {
        switch (m) {
          case Member::kAnnotations: ok = read_annotations(f.value(), input); break;
          case Member::kImpersonatedUser: {
            od::value v = f.value();
            if (!v.is_null()) {
              ok = read_user(v, "impersonatedUser", verdict.impersonated_user, false, input);
            }
            break;
          }
          case Member::kObjectRef: ok = read_object_ref(f.value(), input); break;
          case Member::kRequestObject:
            ok = capture_body(f.value(), request_raw, &request_is_array, input);
            break;
          case Member::kResponseObject:
            ok = capture_body(f.value(), response_raw, nullptr, input);
            break;
          case Member::kResponseStatus: ok = read_response_status(f.value(), input); break;
          case Member::kSourceIps: ok = read_source_ips(f.value(), input); break;
          case Member::kUser: ok = read_user(f.value(), "user", verdict.user, true, input); break;
          default: break;
        }
      }
      if (!ok) return false;
    }
    // After the top-level object the iterator must be at the end of the input.
    if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) {
      json_failed = true;  // `{...}[Truncated...]`: a cut at the very end
      return fail("not valid JSON: trailing content after the event");
    }
    if (has_kind && kind != "Event")
      return fail(core::concat({"not an audit event: kind is \"", kind, "\""}));
    if (has_api_version && !api_version.starts_with("audit.k8s.io/")) {
      return fail(core::concat({"not an audit event: apiVersion is \"", api_version, "\""}));
    }
    if (!has_kind && !has_api_version && !has_audit_id) {
      no_audit_fields = true;  // perhaps a cloud wrapper (wrappers.hpp)
      return fail("not an audit event: no kind, apiVersion or auditID");
    }
    if (!has_verb) return fail("audit event without a verb");
    return true;
  }

  // The whole-event DOM reading of the envelope: the same fields with the same meaning as
  // read_envelope_padded, from one DOM parse of `padded`. Returns false, leaving a state that
  // reset() clears, whenever the On-Demand reading must decide: the event does not parse, is not
  // an object, has a member of the wrong type, or is not a plain audit event. So it never
  // produces an error verdict itself, and a complete, clean read yields exactly the fields the
  // On-Demand reading yields (same members in the same order; DOM keys and strings unescaped).
  bool read_envelope_dom(std::string_view padded) {
    using simdjson::dom::element;
    using simdjson::dom::object;
    element root;
    object obj;
    if (dom.parse(padded.data(), padded.size(), false).get(root) != SUCCESS ||
        root.get_object().get(obj) != SUCCESS) {
      return false;
    }
    for (const auto field : obj) {
      const Member m = member_of(field.key);
      const element v = field.value;
      bool ok = true;
      bool* seen = nullptr;
      if (std::string* out = string_member(m, seen)) {
        ok = dom_string(v, *out);
        if (seen != nullptr) *seen = true;
      } else {
        switch (m) {
          case Member::kAnnotations: read_annotations_dom(v); break;
          case Member::kImpersonatedUser:
            ok = v.is_null() || read_user_dom(v, verdict.impersonated_user, false);
            break;
          case Member::kObjectRef: ok = read_object_ref_dom(v); break;
          case Member::kRequestObject:
            // As capture_body: an object, or (request only) an array; anything else is no body.
            has_request_el = v.is<object>() || v.is<simdjson::dom::array>();
            request_is_array = v.is<simdjson::dom::array>();
            request_el = v;
            break;
          case Member::kResponseObject:
            has_response_el = v.is<object>();
            response_el = v;
            break;
          case Member::kResponseStatus: ok = read_response_status_dom(v); break;
          case Member::kSourceIps: ok = read_source_ips_dom(v); break;
          case Member::kUser: ok = read_user_dom(v, verdict.user, true); break;
          default: break;
        }
      }
      if (!ok) return false;
    }
    // The checks at the end of read_envelope_padded: any failure is its to report.
    if (has_kind && kind != "Event") return false;
    if (has_api_version && !api_version.starts_with("audit.k8s.io/")) return false;
    if ((!has_kind && !has_api_version && !has_audit_id) || !has_verb) return false;
    dom_read = true;
    return true;
  }

  bool read_object_ref_dom(simdjson::dom::element v) {
    simdjson::dom::object o;
    if (v.get_object().get(o) != SUCCESS) return false;
    clear_object_ref();
    for (const auto f : o) {
      std::string_view name;
      std::string* out = object_ref_member(f.key, name);
      if (out != nullptr && !dom_string(f.value, *out)) return false;
    }
    return true;
  }

  bool read_user_dom(simdjson::dom::element v, std::string& username, bool groups) {
    simdjson::dom::object o;
    if (v.get_object().get(o) != SUCCESS) return false;
    username.clear();
    if (groups) clear_groups();
    for (const auto f : o) {
      if (f.key == "username") {
        if (!dom_string(f.value, username)) return false;
      } else if (groups && f.key == "groups") {
        simdjson::dom::array a;
        if (f.value.get_array().get(a) != SUCCESS) return false;
        clear_groups();
        for (const auto item : a) {
          std::string_view s;
          if (item.get_string().get(s) != SUCCESS) return false;
          add_group(s);
        }
      }
    }
    return true;
  }

  bool read_source_ips_dom(simdjson::dom::element v) {
    simdjson::dom::array a;
    if (v.get_array().get(a) != SUCCESS) return false;
    verdict.src_ip.clear();
    bool first = true;
    for (const auto item : a) {
      std::string_view s;
      if (item.get_string().get(s) != SUCCESS) return false;
      if (first) verdict.src_ip.assign(s);
      first = false;
    }
    return true;
  }

  bool read_response_status_dom(simdjson::dom::element v) {
    simdjson::dom::object o;
    if (v.get_object().get(o) != SUCCESS) return false;
    has_response_code = false;
    verdict.response_code = 0;
    response_message.clear();
    for (const auto f : o) {
      if (f.key == "code") {
        // Only a plain int64 in range; a uint64, a double or an out-of-range code is the
        // On-Demand reading's to judge (and to word the error).
        std::int64_t code = 0;
        if (!f.value.is_int64() || f.value.get_int64().get(code) != SUCCESS || code < 0 ||
            code > 999) {
          return false;
        }
        verdict.response_code = static_cast<int>(code);
        has_response_code = true;
      } else if (f.key == "message") {
        std::string_view s;
        if (f.value.get_string().get(s) == SUCCESS) response_message.assign(s);
      }
    }
    return true;
  }

  void read_annotations_dom(simdjson::dom::element v) {
    simdjson::dom::object o;
    if (v.get_object().get(o) != SUCCESS) return;  // not ours to judge; ignore
    for (const auto f : o) {
      std::string_view s;
      if (f.key == "pod-security.kubernetes.io/audit-violations" &&
          f.value.get_string().get(s) == SUCCESS) {
        psa_audit.assign(s);
      }
    }
  }

  enum class Body { kNone, kSpec, kInvalid };

  // Evaluates one body into findings. The view lies inside the padded text the envelope was read
  // from (`buf`, or the caller's text in place), followed by the rest of the event and the
  // padding, so the DOM parser needs no copy. The envelope pass only skipped the
  // body, so this is where it is fully validated.
  Body judge_body(std::string_view raw, bool is_array, bool partial, const core::Target& t,
                  std::string_view what, detail::BodyMeta& meta, core::SpecFindings& out) {
    if (raw.empty()) return Body::kNone;
    simdjson::dom::element root;
    const auto e = dom.parse(raw.data(), raw.size(), false).get(root);
    if (e != SUCCESS) {
      verdict.error = core::concat({what, " is not valid JSON: ", simdjson::error_message(e)});
      return Body::kInvalid;
    }
    return judge_element(root, is_array, partial, t, what, meta, out);
  }

  // A parsed body (an object, or a request's array) into findings.
  Body judge_element(simdjson::dom::element root, bool is_array, bool partial,
                     const core::Target& t, std::string_view what, detail::BodyMeta& meta,
                     core::SpecFindings& out) {
    const bool ephemeral = t.scope == core::SpecScope::kEphemeralOnly;
    pool.clear(spec);
    if (is_array) {
      simdjson::dom::array ops;
      if (!t.is_patch || root.get_array().get(ops) != SUCCESS) return Body::kNone;
      detail::json_patch_skeleton(ops, skeleton);
      simdjson::dom::element sk;
      if (const auto e = patch_dom.parse(skeleton).get(sk); e != SUCCESS) {
        verdict.error =
            core::concat({"JSON patch could not be replayed: ", simdjson::error_message(e)});
        return Body::kInvalid;
      }
      detail::walk_object(sk, *t.carrier, ephemeral, spec, meta, pool);
    } else {
      detail::walk_object(root, *t.carrier, ephemeral, spec, meta, pool);
      // A Status (403/422 ...) in responseObject is not the object.
      if (meta.kind == "Status") return Body::kNone;
    }
    if (partial) cut_before_host_users(what);
    core::evaluate_spec(spec, t.scope, out);
    return Body::kSpec;
  }

  // The one rule that a later field can switch off: procMount Unmasked does not count when
  // spec.hostUsers is false, and hostUsers comes after the containers in the API server's order.
  // A body cut before it cannot tell, so the finding is shown but not counted as a reason.
  void cut_before_host_users(std::string_view what) {
    if (spec.host_users.has_value()) return;
    for (const auto& c : spec.containers) {
      if (c.security.proc_mount && *c.security.proc_mount != "Default") {
        spec.host_users = false;
        verdict.details.push_back(
            core::concat({"unmasked_proc_mount: not counted: ", what,
                          " was cut before spec.hostUsers, which decides it"}));
        return;
      }
    }
  }

  void judge() {
    const std::optional<std::string_view> group =
        has_api_group ? std::optional<std::string_view>(api_group) : std::nullopt;
    const core::Target t =
        core::classify(verdict.verb, verdict.resource, verdict.subresource, group);
    facts.stage = verdict.stage;
    facts.request_uri = verdict.request_uri;
    facts.response_code =
        has_response_code ? std::optional<int>(verdict.response_code) : std::nullopt;
    if (t.is_write()) {
      // Pod Security texts only count for a pod-spec write (finish_verdict).
      if (!psa_audit.empty()) facts.psa_texts.emplace_back(psa_audit);
      if (response_message.find("PodSecurity \"") != std::string::npos) {
        facts.psa_texts.emplace_back(response_message);
      }
      bodies_used = true;
      const Body req = !dom_read ? judge_body(request_raw, request_is_array, request_partial, t,
                                              "requestObject", request_meta, write.request)
                       : has_request_el
                           ? judge_element(request_el, request_is_array, false, t, "requestObject",
                                           request_meta, write.request)
                           : Body::kNone;
      if (req == Body::kInvalid) return;
      const Body resp = !dom_read ? judge_body(response_raw, false, response_partial, t,
                                               "responseObject", response_meta, write.response)
                        : has_response_el
                            ? judge_element(response_el, false, false, t, "responseObject",
                                            response_meta, write.response)
                            : Body::kNone;
      if (resp == Body::kInvalid) return;
      write.has_request = req == Body::kSpec;
      write.has_response = resp == Body::kSpec;
      if (response_partial && write.has_response) {
        // A cut persisted object cannot decide: for create/update what it holds adds to the
        // request's findings; a patch is judged on its own body only.
        if (!t.is_patch) {
          write.request.merge(write.response);
          write.has_request = true;
        }
        write.has_response = false;
        write.response.clear();
      }
      verdict.workload_kind.assign(t.carrier->kind);
      if (verdict.name.empty()) {
        for (const auto* n : {&request_meta.name, &response_meta.name, &request_meta.generate_name,
                              &response_meta.generate_name}) {
          if (!n->empty()) {
            verdict.name = *n;
            break;
          }
        }
      }
      if (verdict.namespace_.empty()) {
        verdict.namespace_ =
            !request_meta.namespace_.empty() ? request_meta.namespace_ : response_meta.namespace_;
      }
      // The owner of the written object: the persisted one (response) first.
      const auto& owned = response_meta.owner_kind.empty() && response_meta.owner_name.empty()
                              ? request_meta
                              : response_meta;
      verdict.owner_kind = owned.owner_kind;
      verdict.owner_name = owned.owner_name;
    } else if (!verdict.resource.empty()) {
      // Not a pod-spec write: the kind is only descriptive, taken from the resource table when
      // it is a carrier (reads of pods, exec ...), else left empty (bodies are not parsed).
      if (const core::Carrier* c = core::find_carrier(verdict.resource, group)) {
        verdict.workload_kind.assign(c->kind);
      }
    }
    core::finish_verdict(t, facts, write, verdict);
    if (salvaging) mark_cut(t);
  }

  // The visible marker of a judged cut event.
  void mark_cut(const core::Target& t) {
    verdict.evidence = core::Evidence::kTruncated;
    // An outcome needs the response status: without it the request is not known to have
    // taken effect (and `privileged` is already 0).
    if (t.is_write() && !has_response_code) verdict.outcome = core::Outcome::kIncomplete;
    std::string line = core::concat({"truncated: event cut at byte ", std::to_string(cut.offset)});
    if (cut.marker) line += " (it ends with [Truncated...])";
    if (request_partial || response_partial) {
      line += core::concat({"; ", request_partial ? "requestObject" : "responseObject",
                            " cut mid-way: judged on what it holds, settings after the cut are "
                            "unknown"});
    } else {
      line += "; judged on the fields before the cut";
    }
    verdict.details.insert(verdict.details.begin(), std::move(line));
  }

  // A JSON object that is not a plain audit event: perhaps an AKS or GKE record (cold path).
  // Cold paths stay out of line, so the hot path's code is what it was before them.
  [[gnu::cold, gnu::noinline]] void unwrap(std::string_view input) {
    core::SourceFormat format = core::SourceFormat::kK8s;
    const detail::Unwrap u = detail::unwrap_record(dom, padded_copy(input), unwrapped, format);
    if (u == detail::Unwrap::kNotWrapped) return;
    reset();
    if (u == detail::Unwrap::kError) {
      verdict.error = std::move(unwrapped);
    } else if (read_envelope(unwrapped)) {
      judge();
    } else if (json_failed) {
      salvage(unwrapped);  // an AKS log string cut upstream
    }
    verdict.source_format = format;
    if (unwrapped.capacity() > (std::size_t{16} << 20U)) {
      unwrapped.clear();
      unwrapped.shrink_to_fit();
    }
  }

  // After a JSON failure: when the text is a cut event, judge what completed before the cut.
  // Otherwise (a syntax error, or nothing judgeable survived) the original error stands.
  [[gnu::cold, gnu::noinline]] void salvage(std::string_view input) {
    if (!detail::repair_cut_event(input, repaired, cut, repair_scratch)) return;
    std::string original = std::move(verdict.error);
    reset();
    salvaging = true;
    const bool ok = read_envelope(repaired);
    if (ok) judge();
    salvaging = false;
    if (!ok) {
      reset();
      verdict.error = std::move(original);
    }
    if (repaired.capacity() > (std::size_t{16} << 20U)) {
      repaired.clear();
      repaired.shrink_to_fit();  // after a huge event
    }
  }
};

Evaluator::Evaluator() : Evaluator(Reading::kAuto) {}
Evaluator::Evaluator(Reading reading) : impl_(std::make_unique<Impl>(reading)) {}
Evaluator::~Evaluator() = default;
Evaluator::Evaluator(Evaluator&&) noexcept = default;
Evaluator& Evaluator::operator=(Evaluator&&) noexcept = default;

Evaluator::Reading Evaluator::last_reading() const noexcept {
  return impl_->dom_read ? Reading::kDom : Reading::kOnDemand;
}

const core::Verdict& Evaluator::evaluate(std::string_view event_json) {
  Impl& im = *impl_;
  try {
    im.reset();
    if (blank(event_json)) {
      im.verdict.error = "empty event";
      return im.verdict;
    }
    const bool in_place = parse_in_place(event_json);
    if (im.reading == Reading::kDom || (im.reading == Reading::kAuto && prefer_dom(event_json))) {
      if (im.read_envelope_dom(in_place ? event_json : im.padded_copy(event_json))) {
        im.judge();
        return im.verdict;
      }
      im.reset();  // read it again On-Demand, which decides every other case
    }
    // On-Demand in place too (a large `list` whose body it skips was 10-15 % copy).
    if (in_place ? im.read_envelope_padded(event_json, event_json,
                                           event_json.size() + simdjson::SIMDJSON_PADDING)
                 : im.read_envelope(event_json)) {
      im.judge();
    } else if (im.json_failed) {
      im.salvage(event_json);  // cold path: only after a parse failure
    } else if (im.no_audit_fields) {
      im.unwrap(event_json);  // cold path: no kind, apiVersion or auditID at the top
    }
  } catch (const std::exception& ex) {
    // Only allocation failure can get here (simdjson is used without exceptions).
    im.verdict.error = core::concat({"internal error: ", ex.what()});
  }
  return im.verdict;
}

}  // namespace kubepriv::audit
