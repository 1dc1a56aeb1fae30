#include "kubepriv/aws/sigv4.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>  // std::stable_sort
#include <array>      // std::array
#include <map>        // std::map
#include <utility>    // std::pair

#include "kubepriv/aws/credentials.hpp"
#include "kubepriv/common/ascii.hpp"
#include "kubepriv/common/hex.hpp"
#include "kubepriv/common/percent.hpp"
#include "kubepriv/common/time.hpp"

namespace kubepriv::aws {

using common::ErrorCode;
using common::fail;
using common::Result;
using common::SystemTime;

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// Years 1970-2200 only, so that the nanosecond system_clock (int64, ends in 2262) cannot
// overflow: these values come from servers (Date, Expiration) and checkpoints.
Result<SystemTime> to_system_time(Result<std::int64_t> ms) {
  constexpr std::int64_t kFirst = 0;                 // 1970-01-01T00:00:00Z
  constexpr std::int64_t kLast = 7'289'654'399'999;  // 2200-12-31T23:59:59.999Z
  if (!ms) return fail(ErrorCode::kParse, ms.error().message);
  if (*ms < kFirst || *ms > kLast) {
    return fail(ErrorCode::kParse,
                "timestamp out of range (years 1970-2200): " + common::format_rfc3339_ms(*ms));
  }
  return common::from_epoch_ms(*ms);
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md.data(), &len, EVP_sha256(), nullptr) != 1) return {};
  return common::hex_encode(std::string_view(reinterpret_cast<const char*>(md.data()), len));
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
  return common::format_amz_date_ms(common::to_epoch_ms(t));
}

Result<SystemTime> parse_timestamp(std::string_view s) {
  if (s.size() == 16) return to_system_time(common::parse_amz_date_ms(s));
  return to_system_time(common::parse_rfc3339_ms(s, common::DateOnly::kReject));
}

Result<SystemTime> parse_http_date(std::string_view s) {
  return to_system_time(common::parse_http_date_ms(s));
}

std::string canonical_uri(std::string_view raw_path, bool normalize) {
  if (raw_path.empty()) return "/";
  if (!normalize) return common::percent_encode(raw_path, "/");
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
  return common::percent_encode(path, "/");
}

std::string canonical_query(std::string_view raw_query) {
  constexpr common::PercentDecodeRules kKeepInvalid{.keep_invalid = true};
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
      // Invalid %-sequences are kept: the server signs what it received.
      params.emplace_back(common::percent_encode(*common::percent_decode(k, kKeepInvalid)),
                          common::percent_encode(*common::percent_decode(v, kKeepInvalid)));
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
    auto [it, inserted] = merged.try_emplace(common::ascii_lower(h.name), value);
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
  std::erase_if(headers,
                [&](const common::HttpHeader& h) { return common::ascii_lower(h.name) == name; });
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
  r.signature = common::hex_encode(hmac_sha256(key, r.string_to_sign));
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
