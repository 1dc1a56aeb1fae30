#pragma once
// In-process fake HttpTransport for unit tests: scripted responses, recorded requests.

#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "kubepriv/common/http.hpp"

namespace kubepriv::aws::testing {

class FakeHttp final : public common::HttpTransport {
 public:
  using Handler = std::function<common::Result<common::HttpResponse>(const common::HttpRequest&)>;
  common::Result<common::HttpResponse> send(const common::HttpRequest& request) override {
    requests.push_back(request);
    if (handler) return handler(request);
    if (queue.empty())
      return common::fail(common::ErrorCode::kUnavailable, "fake: no scripted response");
    auto r = queue.front();
    queue.pop_front();
    return r;
  }
  void push(int status, std::string body, common::HttpHeaders headers = {}) {
    common::HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    r.headers = std::move(headers);
    queue.push_back(r);
  }
  void push_error(common::ErrorCode code, std::string message) {
    queue.push_back(tl::unexpected(common::Error{code, std::move(message)}));
  }
  std::deque<common::Result<common::HttpResponse>> queue;
  std::vector<common::HttpRequest> requests;
  Handler handler;
};

/// A transport that forwards to a FakeHttp the test keeps (for code that owns its transport).
class ForwardingHttp final : public common::HttpTransport {
 public:
  explicit ForwardingHttp(FakeHttp& to) : to_(to) {}
  common::Result<common::HttpResponse> send(const common::HttpRequest& request) override {
    return to_.send(request);
  }

 private:
  FakeHttp& to_;
};

}  // namespace kubepriv::aws::testing
