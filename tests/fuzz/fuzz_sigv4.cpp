// Fuzz target: SigV4 canonicalisation and signing, fed raw HTTP requests in the format of the
// AWS SigV4 test suite's request.txt ("METHOD target HTTP/1.1", header lines with folded
// continuations, blank line, body), so the official vectors are the seed corpus.
// Exercises kubepriv::aws canonical_uri / canonical_query / canonical_headers /
// common::percent_encode / sign_request / parse_timestamp / parse_http_date and common::parse_url /
// check_url_security. Invariants beyond "no crash":
//   * canonical URI and query contain only unreserved characters, '/', '=', '&' and upper-case
//     %XX escapes; the signed-header list is lower-case, sorted and free of duplicates;
//   * a signature is 64 lower-case hex digits, the same when the same request is signed again,
//     and the secret key never appears in any signing product;
//   * a timestamp that parses survives format_amz_date -> parse_timestamp unchanged;
//   * a plain-http URL that check_url_security accepts is one libcurl also resolves to a
//     loopback or AWS metadata host (a parser differential here would send unencrypted,
//     signed requests to a remote host).

#include <curl/curl.h>

#include <algorithm>    // std::any_of
#include <chrono>       // std::chrono
#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint8_t
#include <cstdio>       // std::fprintf
#include <cstdlib>      // std::abort
#include <string>       // std::string
#include <string_view>  // std::string_view

#include "kubepriv/aws/credentials.hpp"
#include "kubepriv/aws/sigv4.hpp"
#include "kubepriv/common/http.hpp"
#include "kubepriv/common/percent.hpp"

namespace {

namespace aws = kubepriv::aws;
namespace common = kubepriv::common;

constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_sigv4: invariant broken: %s\n", what);
  std::abort();
}

bool is_unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

bool is_upper_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

// Only unreserved characters, the given separators and %XX with upper-case hex.
bool canonical_chars(std::string_view s, std::string_view separators) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (is_unreserved(c) || separators.find(c) != std::string_view::npos) continue;
    if (c == '%' && i + 2 < s.size() && is_upper_hex(s[i + 1]) && is_upper_hex(s[i + 2])) {
      i += 2;
      continue;
    }
    return false;
  }
  return true;
}

// RFC 9110 token: the only header names an HTTP client sends. The signer is called with the
// client's own header names, so names outside this set are not an input it must survive.
bool is_token(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (is_unreserved(c)) continue;
    if (std::string_view("!#$%&'*+^`|").find(c) == std::string_view::npos) return false;
  }
  return true;
}

struct RawRequest {
  std::string method;
  std::string target;
  common::HttpHeaders headers;
  std::string body;
};

// Parses request.txt; false when there is no request line.
bool parse_raw(std::string_view text, RawRequest& out) {
  std::size_t eol = text.find('\n');
  std::string_view line = text.substr(0, eol);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  const std::size_t sp1 = line.find(' ');
  const std::size_t sp2 = line.rfind(' ');
  if (sp1 == std::string_view::npos || sp2 == sp1) return false;
  out.method = std::string(line.substr(0, sp1));
  out.target = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
  std::size_t pos = eol == std::string_view::npos ? text.size() : eol + 1;
  while (pos < text.size()) {
    eol = text.find('\n', pos);
    std::string_view h = text.substr(pos, eol == std::string_view::npos ? text.npos : eol - pos);
    pos = eol == std::string_view::npos ? text.size() : eol + 1;
    if (!h.empty() && h.back() == '\r') h.remove_suffix(1);
    if (h.empty()) break;  // end of headers
    if ((h.front() == ' ' || h.front() == '\t') && !out.headers.empty()) {
      out.headers.back().value += '\n';
      out.headers.back().value += h;  // folded continuation, as the suite writes it
      continue;
    }
    const std::size_t colon = h.find(':');
    if (colon == std::string_view::npos || !is_token(h.substr(0, colon))) continue;
    out.headers.push_back({std::string(h.substr(0, colon)), std::string(h.substr(colon + 1))});
  }
  out.body = std::string(text.substr(pos));
  return true;
}

void check_timestamps(const common::HttpHeaders& headers) {
  for (const auto& h : headers) {
    const auto t = aws::parse_timestamp(h.value);
    if (t) {
      const auto secs = std::chrono::time_point_cast<std::chrono::seconds>(*t);
      const auto back = aws::parse_timestamp(aws::format_amz_date(secs));
      if (!back || *back != secs) fail("timestamp does not survive format -> parse");
    }
    (void)aws::parse_http_date(h.value);
  }
}

bool curl_host_is_local(const std::string& url) {
  CURLU* h = curl_url();
  if (h == nullptr) return true;
  bool local = true;
  if (curl_url_set(h, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
    char* host = nullptr;
    if (curl_url_get(h, CURLUPART_HOST, &host, 0) == CURLUE_OK && host != nullptr) {
      std::string name(host);
      if (name.size() >= 2 && name.front() == '[' && name.back() == ']')
        name = name.substr(1, name.size() - 2);
      const auto zone = name.find('%');
      if (zone != std::string::npos) name.resize(zone);
      local = common::is_loopback_host(name) || common::is_aws_metadata_host(name);
      curl_free(host);
    }
  }
  curl_url_cleanup(h);
  return local;
}

void check_url(const std::string& url) {
  const auto parsed = common::parse_url(url);
  const auto secure = common::check_url_security(url);
  if (secure && secure->scheme == "http") {
    if (!common::is_loopback_host(secure->host) && !common::is_aws_metadata_host(secure->host))
      fail("plain http accepted for a host that is not loopback or metadata");
    if (!curl_host_is_local(url)) fail("plain http URL: libcurl sees a non-local host");
  }
  (void)parsed;
}

void check_signing(const RawRequest& raw, const std::string& host) {
  common::HttpRequest request;
  request.method = raw.method;
  request.url = "https://" + host + raw.target;
  request.headers = raw.headers;
  request.body = raw.body;
  aws::Credentials creds;
  creds.access_key_id = "AKIDEXAMPLE";
  creds.secret_access_key = std::string(kSecret);
  creds.session_token = "FQoGZXIvYXdzEPAN_session_token_for_fuzzing";
  aws::SigningParams params;
  params.region = "us-east-1";
  params.service = "service";
  params.time = std::chrono::system_clock::time_point(std::chrono::seconds(1440938160));
  common::HttpRequest copy = request;
  const auto signed1 = aws::sign_request(request, creds, params);
  if (!signed1) {
    if (signed1.error().message.find(kSecret) != std::string::npos)
      fail("signing error message contains the secret");
    return;
  }
  const auto& r = *signed1;
  if (r.signature.size() != 64) fail("signature is not 64 hex digits");
  for (char c : r.signature)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) fail("signature not lower-case hex");
  // (Unless the request itself carries the secret's text, which then legitimately shows up.)
  const bool input_has_secret =
      raw.method.find(kSecret) != std::string::npos ||
      raw.target.find(kSecret) != std::string::npos ||
      raw.body.find(kSecret) != std::string::npos ||
      std::any_of(raw.headers.begin(), raw.headers.end(), [](const auto& h) {
        return h.name.find(kSecret) != std::string::npos ||
               h.value.find(kSecret) != std::string::npos;
      });
  for (const std::string* s : {&r.canonical_request, &r.string_to_sign, &r.authorization})
    if (!input_has_secret && s->find(kSecret) != std::string::npos)
      fail("secret key inside a signing product");
  std::string_view names = r.signed_headers;
  std::string_view previous;
  while (!names.empty()) {
    const std::size_t semi = names.find(';');
    const std::string_view name = names.substr(0, semi);
    if (name.empty()) fail("empty name in signed headers");
    for (char c : name)
      if (c >= 'A' && c <= 'Z') fail("upper-case signed header name");
    if (!previous.empty() && !(previous < name)) fail("signed headers not sorted or duplicated");
    previous = name;
    names = semi == std::string_view::npos ? std::string_view() : names.substr(semi + 1);
  }
  const auto signed2 = aws::sign_request(copy, creds, params);
  if (!signed2 || signed2->signature != r.signature) fail("signing is not deterministic");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  RawRequest raw;
  if (!parse_raw(text, raw)) return 0;

  const std::size_t q = raw.target.find('?');
  const std::string path = raw.target.substr(0, q);
  const std::string query = q == std::string::npos ? std::string() : raw.target.substr(q + 1);
  for (bool normalize : {true, false}) {
    if (!canonical_chars(aws::canonical_uri(path, normalize), "/"))
      fail("canonical URI has a character that should be escaped");
  }
  if (!canonical_chars(aws::canonical_query(query), "=&"))
    fail("canonical query has a character that should be escaped");
  if (!canonical_chars(common::percent_encode(text.substr(0, 256)), ""))
    fail("percent_encode left a reserved character");
  (void)aws::canonical_headers(raw.headers);
  check_timestamps(raw.headers);

  const auto host = common::find_header(raw.headers, "host");
  if (raw.target.rfind("http", 0) == 0) check_url(raw.target);  // absolute-form target
  if (host) {
    std::string h = *host;
    while (!h.empty() && h.front() == ' ') h.erase(0, 1);
    check_url("http://" + h + raw.target);
    check_signing(raw, h);
  }
  return 0;
}
