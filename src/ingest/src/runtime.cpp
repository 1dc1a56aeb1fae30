#include "kubepriv/ingest/runtime.hpp"

namespace kubepriv::ingest {

common::Result<MakeTransport> curl_transports() {
  if (auto r = net::curl_global_setup(); !r) return tl::unexpected(r.error());
  return MakeTransport([](const net::CurlOptions& options) {
    return std::unique_ptr<common::HttpTransport>(std::make_unique<net::CurlTransport>(options));
  });
}

}  // namespace kubepriv::ingest
