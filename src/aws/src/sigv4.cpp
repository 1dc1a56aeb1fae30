#include "kubepriv/aws/sigv4.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>  // std::stable_sort
#include <array>      // std::array
#include <cctype>     // std::isalnum
#include <cstdio>     // std::snprintf
#include <map>        // std::map
#include <utility>    // std::pair

#include "kubepriv/aws/credentials.hpp"

namespace kubepriv::aws {

using common::ErrorCode;
using common::fail;
using common::Result;
using common::SystemTime;

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kHexUpper[] = "0123456789ABCDEF";

bool is_unreserved(unsigned char c) {
  return std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~';
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const int hi = hex_value(s[i + 1]);
      const int lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm; no time-zone database).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? static_cast<unsigned>(-3) : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t y;
  unsigned m, d;
};

Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {m <= 2 ? y + 1 : y, m, d};
}

// Reads exactly `n` digits at `pos`; -1 on failure.
int read_digits(std::string_view s, std::size_t pos, std::size_t n) {
  if (pos + n > s.size()) return -1;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

Result<SystemTime> make_time(int y, int mo, int d, int h, int mi, int s, std::int64_t offset_s,
                             std::int64_t millis) {
  // Years are bounded so that the nanosecond system_clock (int64, ends in 2262) cannot overflow:
  // these values come from servers (Date, Expiration) and checkpoints.
  if (y < 1970 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) {
    return fail(ErrorCode::kParse, "timestamp field out of range");
  }
  const std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  const std::int64_t secs = days * 86400 + h * 3600 + mi * 60 + s - offset_s;
  return SystemTime(std::chrono::duration_cast<SystemTime::duration>(
      std::chrono::milliseconds(secs * 1000 + millis)));
}

}  // namespace

std::string to_hex(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(kHexDigits[u >> 4]);
    out.push_back(kHexDigits[u & 0xF]);
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md.data(), &len, EVP_sha256(), nullptr) != 1) return {};
  return to_hex(std::string_view(reinterpret_cast<const char*>(md.data()), len));
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), md.data(),
           &len) == nullptr) {
    return {};
  }
  return std::string(reinterpret_cast<const char*>(md.data()), len);
}

std::string format_amz_date(SystemTime t) {
  const std::int64_t secs =
      std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  std::int64_t days = secs / 86400;
  std::int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  const Civil c = civil_from_days(days);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld%02u%02uT%02lld%02lld%02lldZ", static_cast<long long>(c.y),
                c.m, c.d, static_cast<long long>(rem / 3600),
                static_cast<long long>(rem % 3600 / 60), static_cast<long long>(rem % 60));
  return buf;
}

Result<SystemTime> parse_timestamp(std::string_view s) {
  // Compact SigV4 form.
  if (s.size() == 16 && s[8] == 'T' && s[15] == 'Z') {
    const int y = read_digits(s, 0, 4), mo = read_digits(s, 4, 2), d = read_digits(s, 6, 2);
    const int h = read_digits(s, 9, 2), mi = read_digits(s, 11, 2), sec = read_digits(s, 13, 2);
    if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0) {
      return fail(ErrorCode::kParse, "bad compact timestamp");
    }
    return make_time(y, mo, d, h, mi, sec, 0, 0);
  }
  // RFC 3339.
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' ||
      (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' || s[16] != ':') {
    return fail(ErrorCode::kParse, "timestamp is not RFC 3339 (YYYY-MM-DDTHH:MM:SSZ)");
  }
  const int y = read_digits(s, 0, 4), mo = read_digits(s, 5, 2), d = read_digits(s, 8, 2);
  const int h = read_digits(s, 11, 2), mi = read_digits(s, 14, 2), sec = read_digits(s, 17, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0) {
    return fail(ErrorCode::kParse, "timestamp has non-digits");
  }
  std::size_t pos = 19;
  std::int64_t millis = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int ndig = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (ndig < 3) millis = millis * 10 + (s[pos] - '0');
      ++ndig;
      ++pos;
    }
    if (ndig == 0) return fail(ErrorCode::kParse, "timestamp has an empty fraction");
    for (int i = ndig; i < 3; ++i) millis *= 10;
  }
  std::int64_t offset = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos + 6 == s.size() && (s[pos] == '+' || s[pos] == '-') && s[pos + 3] == ':') {
    const int oh = read_digits(s, pos + 1, 2), om = read_digits(s, pos + 4, 2);
    if (oh < 0 || om < 0 || oh > 23 || om > 59) return fail(ErrorCode::kParse, "bad UTC offset");
    offset = (oh * 3600 + om * 60) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return fail(ErrorCode::kParse, "timestamp needs a zone (Z or +hh:mm)");
  }
  if (pos != s.size()) return fail(ErrorCode::kParse, "trailing text after timestamp");
  return make_time(y, mo, d, h, mi, sec, offset, millis);
}

Result<SystemTime> parse_http_date(std::string_view s) {
  // "Sun, 06 Nov 1994 08:49:37 GMT"
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto comma = s.find(", ");
  if (comma == std::string_view::npos) return fail(ErrorCode::kParse, "bad HTTP date");
  s = s.substr(comma + 2);
  if (s.size() < 24) return fail(ErrorCode::kParse, "bad HTTP date");
  const int d = read_digits(s, 0, 2);
  int mo = -1;
  for (std::size_t i = 0; i < kMonths.size(); ++i) {
    if (s.substr(3, 3) == kMonths[i]) mo = static_cast<int>(i) + 1;
  }
  const int y = read_digits(s, 7, 4), h = read_digits(s, 12, 2), mi = read_digits(s, 15, 2),
            sec = read_digits(s, 18, 2);
  if (d < 0 || mo < 0 || y < 0 || h < 0 || mi < 0 || sec < 0 || s.substr(21, 3) != "GMT") {
    return fail(ErrorCode::kParse, "bad HTTP date");
  }
  return make_time(y, mo, d, h, mi, sec, 0, 0);
}

std::string uri_encode(std::string_view text, bool keep_slash) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (is_unreserved(u) || (keep_slash && c == '/')) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHexUpper[u >> 4]);
      out.push_back(kHexUpper[u & 0xF]);
    }
  }
  return out;
}

std::string canonical_uri(std::string_view raw_path, bool normalize) {
  if (raw_path.empty()) return "/";
  if (!normalize) return uri_encode(raw_path, true);
  std::vector<std::string_view> segments;
  std::size_t i = 0;
  while (i <= raw_path.size()) {
    const auto slash = raw_path.find('/', i);
    const auto end = slash == std::string_view::npos ? raw_path.size() : slash;
    const std::string_view seg = raw_path.substr(i, end - i);
    if (seg.empty() || seg == ".") {
      // dropped: duplicate slashes and "." segments
    } else if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
    } else {
      segments.push_back(seg);
    }
    if (slash == std::string_view::npos) break;
    i = slash + 1;
  }
  std::string path = "/";
  for (std::size_t k = 0; k < segments.size(); ++k) {
    if (k > 0) path += '/';
    path += segments[k];
  }
  if (!segments.empty() && raw_path.back() == '/') path += '/';
  return uri_encode(path, true);
}

std::string canonical_query(std::string_view raw_query) {
  std::vector<std::pair<std::string, std::string>> params;
  std::size_t i = 0;
  while (i <= raw_query.size()) {
    const auto amp = raw_query.find('&', i);
    const auto end = amp == std::string_view::npos ? raw_query.size() : amp;
    const std::string_view part = raw_query.substr(i, end - i);
    if (!part.empty()) {
      const auto eq = part.find('=');
      const std::string_view k = part.substr(0, eq);
      const std::string_view v =
          eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1);
      params.emplace_back(uri_encode(percent_decode(k), false),
                          uri_encode(percent_decode(v), false));
    }
    if (amp == std::string_view::npos) break;
    i = amp + 1;
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out += '&';
    out += k;
    out += '=';
    out += v;
  }
  return out;
}

std::pair<std::string, std::string> canonical_headers(const common::HttpHeaders& headers) {
  // name -> values in order of appearance; std::map sorts by the lower-case name.
  std::map<std::string, std::string> merged;
  for (const auto& h : headers) {
    std::string value;
    bool pending_space = false;
    for (char c : h.value) {
      if (is_space(c)) {
        pending_space = !value.empty();
        continue;
      }
      if (pending_space) value.push_back(' ');
      pending_space = false;
      value.push_back(c);
    }
    auto [it, inserted] = merged.try_emplace(lower(h.name), value);
    if (!inserted) {
      it->second += ',';
      it->second += value;
    }
  }
  std::string canon, signed_list;
  for (const auto& [name, value] : merged) {
    canon += name;
    canon += ':';
    canon += value;
    canon += '\n';
    if (!signed_list.empty()) signed_list += ';';
    signed_list += name;
  }
  return {canon, signed_list};
}

std::string derive_signing_key(std::string_view secret, std::string_view date,
                               std::string_view region, std::string_view service) {
  std::string k = "AWS4";
  k += secret;
  const std::string k_date = hmac_sha256(k, date);
  std::fill(k.begin(), k.end(), '\0');
  const std::string k_region = hmac_sha256(k_date, region);
  const std::string k_service = hmac_sha256(k_region, service);
  return hmac_sha256(k_service, "aws4_request");
}

std::string SigningKeyCache::get(std::string_view secret, std::string_view date,
                                 std::string_view region, std::string_view service) {
  const std::string secret_hash = sha256_hex(secret);
  for (const auto& e : entries_) {
    if (e.secret_hash == secret_hash && e.date == date && e.region == region &&
        e.service == service) {
      return e.key;
    }
  }
  ++derivations_;
  std::string key = derive_signing_key(secret, date, region, service);
  if (entries_.size() >= 4) entries_.erase(entries_.begin());
  entries_.push_back(
      Entry{secret_hash, std::string(date), std::string(region), std::string(service), key});
  return key;
}

namespace {

void remove_header(common::HttpHeaders& headers, std::string_view name) {
  std::erase_if(headers, [&](const common::HttpHeader& h) { return lower(h.name) == name; });
}

Result<SigningResult> sign_impl(common::HttpRequest& request, const Credentials& credentials,
                                const SigningParams& params, SigningKeyCache* cache) {
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
    return fail(ErrorCode::kInvalidArgument, "cannot sign: credentials are incomplete");
  }
  if (params.region.empty() || params.service.empty()) {
    return fail(ErrorCode::kInvalidArgument, "cannot sign: region or service missing");
  }
  auto url = common::parse_url(request.url);
  if (!url) return tl::unexpected(url.error());

  // Re-signing (a retry) replaces what an earlier signature added.
  remove_header(request.headers, "authorization");
  remove_header(request.headers, "x-amz-date");
  remove_header(request.headers, "x-amz-security-token");
  if (!common::find_header(request.headers, "host")) {
    request.headers.push_back({"Host", url->authority()});
  }
  SigningResult r;
  r.amz_date = format_amz_date(params.time);
  const std::string date = r.amz_date.substr(0, 8);
  request.headers.push_back({"X-Amz-Date", r.amz_date});
  const bool token = !credentials.session_token.empty();
  if (token && !params.omit_session_token_from_signature) {
    request.headers.push_back({"X-Amz-Security-Token", credentials.session_token});
  }
  const std::string payload_hash = sha256_hex(request.body);
  if (params.add_content_sha256) {
    remove_header(request.headers, "x-amz-content-sha256");
    request.headers.push_back({"x-amz-content-sha256", payload_hash});
  }
  auto [canon_headers, signed_headers] = canonical_headers(request.headers);
  r.signed_headers = signed_headers;
  r.canonical_request = request.method + "\n" + canonical_uri(url->path, params.normalize_path) +
                        "\n" + canonical_query(url->query) + "\n" + canon_headers + "\n" +
                        signed_headers + "\n" + payload_hash;
  const std::string scope = date + "/" + params.region + "/" + params.service + "/aws4_request";
  r.string_to_sign =
      "AWS4-HMAC-SHA256\n" + r.amz_date + "\n" + scope + "\n" + sha256_hex(r.canonical_request);
  const std::string key =
      cache != nullptr
          ? cache->get(credentials.secret_access_key, date, params.region, params.service)
          : derive_signing_key(credentials.secret_access_key, date, params.region, params.service);
  r.signature = to_hex(hmac_sha256(key, r.string_to_sign));
  r.authorization = "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id + "/" + scope +
                    ", SignedHeaders=" + signed_headers + ", Signature=" + r.signature;
  if (token && params.omit_session_token_from_signature) {
    request.headers.push_back({"X-Amz-Security-Token", credentials.session_token});
  }
  request.headers.push_back({"Authorization", r.authorization});
  return r;
}

}  // namespace

Result<SigningResult> sign_request(common::HttpRequest& request, const Credentials& credentials,
                                   const SigningParams& params) {
  return sign_impl(request, credentials, params, nullptr);
}

Result<SigningResult> sign_request(common::HttpRequest& request, const Credentials& credentials,
                                   const SigningParams& params, SigningKeyCache& cache) {
  return sign_impl(request, credentials, params, &cache);
}

}  // namespace kubepriv::aws
