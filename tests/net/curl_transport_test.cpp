// CurlTransport against a real HTTP server on 127.0.0.1 (python3 http.server, started here on a
// random port, bounded lifetime): timeouts, resets, truncation, big bodies, status codes,
// keep-alive, header handling, and the refusal of plain http to non-loopback hosts.

#include "kubepriv/net/curl_transport.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

extern char** environ;

using namespace kubepriv;
using namespace std::chrono_literals;
using common::ErrorCode;

namespace {

class Server {
 public:
  Server() {
    int fds[2];
    if (pipe(fds) != 0) return;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    const char* argv[] = {"python3", KUBEPRIV_NET_SERVER, "--lifetime", "60", nullptr};
    if (posix_spawnp(&pid_, "python3", &fa, nullptr, const_cast<char**>(argv), environ) != 0)
      pid_ = -1;
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    pollfd p{fds[0], POLLIN, 0};
    std::string line;
    // Bounded wait for the port line.
    while (pid_ > 0 && poll(&p, 1, 10000) > 0) {
      char c;
      if (read(fds[0], &c, 1) != 1 || c == '\n') break;
      line += c;
    }
    close(fds[0]);
    if (!line.empty()) port_ = std::stoi(line);
  }
  ~Server() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  int port() const { return port_; }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

Server& server() {
  static Server s;
  return s;
}

common::HttpRequest get(const std::string& url, std::chrono::milliseconds timeout = 5s) {
  common::HttpRequest r;
  r.method = "GET";
  r.url = url;
  r.timeout = timeout;
  r.connect_timeout = 2s;
  return r;
}

#define REQUIRE_SERVER() \
  if (server().port() == 0) GTEST_SKIP() << "python3 test server did not start"

}  // namespace

TEST(CurlTransport, GetAndHeaders) {
  REQUIRE_SERVER();
  net::CurlTransport t;
  auto r = t.send(get(server().url("/ok")));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello");
  EXPECT_EQ(*r->header("x-test"), "1");
  EXPECT_EQ(*r->header("content-length"), "5");
}

TEST(CurlTransport, PostSendsExactlyOurHeadersAndBody) {
  REQUIRE_SERVER();
  net::CurlTransport t;
  common::HttpRequest req = get(server().url("/echo"));
  req.method = "POST";
  req.body = R"({"a":1})";
  req.headers = {{"Content-Type", "application/x-amz-json-1.1"},
                 {"X-Amz-Target", "Logs_20140328.FilterLogEvents"},
                 {"Host", "127.0.0.1:" + std::to_string(server().port())}};
  auto r = t.send(req);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_NE(r->body.find(R"("body": "{\"a\":1}")"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("application/x-amz-json-1.1"), std::string::npos);
  EXPECT_NE(r->body.find("Logs_20140328.FilterLogEvents"), std::string::npos);
  EXPECT_EQ(r->body.find("Expect"), std::string::npos);  // no 100-continue header
  // POST without Content-Type: curl's form default must not be added (it would be unsigned).
  common::HttpRequest put = get(server().url("/echo"));
  put.method = "PUT";
  put.headers = {{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}};
  auto p = t.send(put);
  ASSERT_TRUE(p);
  EXPECT_NE(p->body.find(R"("method": "PUT")"), std::string::npos);
  EXPECT_EQ(p->body.find("x-www-form-urlencoded"), std::string::npos) << p->body;
}

TEST(CurlTransport, ErrorStatusIsAResponseNotAnError) {
  REQUIRE_SERVER();
  net::CurlTransport t;
  auto r = t.send(get(server().url("/status/503")));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(*r->header("x-amzn-RequestId"), "rid-42");
}

TEST(CurlTransport, KeepAliveReusesTheConnection) {
  REQUIRE_SERVER();
  net::CurlTransport t;
  auto a = t.send(get(server().url("/port")));
  auto b = t.send(get(server().url("/port")));
  ASSERT_TRUE(a);
  ASSERT_TRUE(b);
  EXPECT_EQ(a->body, b->body);  // same client port: same TCP connection
}

TEST(CurlTransport, TotalTimeout) {
  REQUIRE_SERVER();
  net::CurlTransport t;
  const auto start = std::chrono::steady_clock::now();
  auto r = t.send(get(server().url("/slow?3"), 500ms));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kTimeout);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2500ms);
}

TEST(CurlTransport, LowSpeedAbort) {
  REQUIRE_SERVER();
  net::CurlOptions o;
  o.low_speed_bytes_per_second = 100;
  o.low_speed_seconds = 1;
  net::CurlTransport t(o);
  auto r = t.send(get(server().url("/stall?5"), 10s));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kTimeout);
}

TEST(CurlTransport, ResetTruncationAndRefused) {
  REQUIRE_SERVER();
  net::CurlTransport t;
  auto reset = t.send(get(server().url("/reset")));
  ASSERT_FALSE(reset);
  EXPECT_EQ(reset.error().code, ErrorCode::kUnavailable) << reset.error().message;
  auto trunc = t.send(get(server().url("/truncated")));
  ASSERT_FALSE(trunc);
  EXPECT_EQ(trunc.error().code, ErrorCode::kUnavailable) << trunc.error().message;
  // After failures the handle still works.
  EXPECT_TRUE(t.send(get(server().url("/ok"))));
  // Nothing listens on port 1.
  auto refused = t.send(get("http://127.0.0.1:1/"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
}

TEST(CurlTransport, BigBodiesAndTheSizeCap) {
  REQUIRE_SERVER();
  net::CurlTransport t;
  auto big = t.send(get(server().url("/big?5000000"), 20s));
  ASSERT_TRUE(big) << big.error().message;
  EXPECT_EQ(big->body.size(), 5000000u);
  net::CurlOptions o;
  o.max_response_bytes = 1 << 20;
  net::CurlTransport capped(o);
  auto r = capped.send(get(server().url("/big?5000000"), 20s));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kIo);
  EXPECT_NE(r.error().message.find("exceeds"), std::string::npos);
}

TEST(CurlTransport, RefusesPlainHttpToNonLoopback) {
  net::CurlTransport t;
  for (const char* url : {"http://10.255.255.1/", "http://example.com/", "http://127.0.0.1.nip.io/",
                          "ftp://127.0.0.1/", "http://user:pw@127.0.0.1/"}) {
    const auto start = std::chrono::steady_clock::now();
    auto r = t.send(get(url));
    ASSERT_FALSE(r) << url;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << url;
    EXPECT_LT(std::chrono::steady_clock::now() - start, 200ms)
        << "must fail before any network I/O";
    EXPECT_EQ(r.error().message.find("pw"), std::string::npos);
  }
}

TEST(CurlTransport, TlsToAPlainServerFailsClearly) {
  REQUIRE_SERVER();
  net::CurlTransport t;
  auto r = t.send(get("https://127.0.0.1:" + std::to_string(server().port()) + "/ok", 3s));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().code, ErrorCode::kInvalidArgument);
}

TEST(CurlTransport, HeaderInjectionRefused) {
  REQUIRE_SERVER();
  net::CurlTransport t;
  auto req = get(server().url("/ok"));
  req.headers = {{"X-A", "v\r\nX-Injected: 1"}};
  auto r = t.send(req);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST(RedactProxy, RemovesCredentials) {
  EXPECT_EQ(net::redact_proxy("http://user:s3cr/et@proxy:3128"), "http://[REDACTED]@proxy:3128");
  EXPECT_EQ(net::redact_proxy("http://proxy:3128"), "http://proxy:3128");
}

TEST(CurlTransport, ProxyUsedForRemoteBypassedForLoopbackAndNeverLeaked) {
  REQUIRE_SERVER();
  net::CurlOptions o;
  o.proxy = "http://user:secretpw@127.0.0.1:1";  // nothing listens there
  net::CurlTransport t(o);
  // Loopback goes direct, so the dead proxy does not matter.
  auto local = t.send(get(server().url("/ok")));
  ASSERT_TRUE(local) << local.error().message;
  // A remote host goes through the proxy: the failure is the proxy's, and hides its password.
  auto remote = t.send(get("https://logs.us-east-1.amazonaws.com/", 3s));
  ASSERT_FALSE(remote);
  EXPECT_EQ(remote.error().code, ErrorCode::kUnavailable) << remote.error().message;
  EXPECT_EQ(remote.error().message.find("secretpw"), std::string::npos) << remote.error().message;
}

TEST(FindCaBundle, FirstReadableSystemPathInOrder) {
  std::vector<std::string> asked;
  auto only = [&](std::string want) {
    return [&asked, want](const std::string& p) {
      asked.push_back(p);
      return p == want;
    };
  };
  // RHEL: the Debian path is absent, the RHEL bundle is used.
  auto rhel = net::find_ca_bundle("", only("/etc/pki/tls/certs/ca-bundle.crt"));
  ASSERT_TRUE(rhel) << rhel.error().message;
  EXPECT_EQ(*rhel, "/etc/pki/tls/certs/ca-bundle.crt");
  EXPECT_EQ(asked, (std::vector<std::string>{"/etc/ssl/certs/ca-certificates.crt",
                                             "/etc/pki/tls/certs/ca-bundle.crt"}));
  for (const auto path : net::kSystemCaBundles) {
    auto r = net::find_ca_bundle("", only(std::string(path)));
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(*r, path);
  }
  EXPECT_EQ(*net::find_ca_bundle("", only("/etc/ssl/ca-bundle.pem")), "/etc/ssl/ca-bundle.pem");
}

TEST(FindCaBundle, ExplicitPathWinsAndMustExist) {
  auto all = [](const std::string&) { return true; };
  auto none = [](const std::string&) { return false; };
  auto r = net::find_ca_bundle("/opt/corp/ca.pem", all);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "/opt/corp/ca.pem");
  // A missing explicit bundle is an error, never a silent fall back to the system store.
  auto missing = net::find_ca_bundle("/opt/corp/ca.pem",
                                     [](const std::string& p) { return p != "/opt/corp/ca.pem"; });
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(missing.error().message.find("/opt/corp/ca.pem"), std::string::npos);
  auto nothing = net::find_ca_bundle("", none);
  ASSERT_FALSE(nothing);
  EXPECT_EQ(nothing.error().code, ErrorCode::kNotFound);
  for (const auto path : net::kSystemCaBundles) {
    EXPECT_NE(nothing.error().message.find(path), std::string::npos)
        << "the error must name " << path << ": " << nothing.error().message;
  }
  EXPECT_NE(nothing.error().message.find("AWS_CA_BUNDLE"), std::string::npos);
}

TEST(FindCaBundle, ReadableFileChecksTheFilesystem) {
  char dir[] = "/tmp/kubepriv-ca-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string file = std::string(dir) + "/ca.pem";
  EXPECT_FALSE(net::readable_file(file));
  EXPECT_FALSE(net::readable_file(dir));  // a folder is not a bundle
  { std::ofstream(file) << "-----BEGIN CERTIFICATE-----\n"; }
  EXPECT_TRUE(net::readable_file(file));
  const std::string candidates[] = {std::string(dir) + "/absent.pem", file};
  const std::string_view views[] = {candidates[0], candidates[1]};
  auto r = net::find_ca_bundle("", net::readable_file, views);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, file);
  std::remove(file.c_str());
  rmdir(dir);
}

TEST(CurlTransport, MissingCaBundleFailsBeforeConnecting) {
  net::CurlOptions o;
  o.ca_bundle = "/nonexistent/kubepriv-ca.pem";
  net::CurlTransport t(o);
  auto r = t.send(get("https://127.0.0.1:1/", 3s));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message.find("/nonexistent/kubepriv-ca.pem"), std::string::npos);
}
