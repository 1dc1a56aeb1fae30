#pragma once
/// @file
/// What the input's modes need of the world, behind interfaces: the environment, the clocks,
/// sleeping, the stop request, stdout and the HTTP transports. The entry point passes the real
/// ones (ProcessEnvironment, SystemClock, RealSleeper on process_stop_token(), stdout, libcurl);
/// the unit tests (tests/ingest) pass fakes.

#include <functional>  // std::function
#include <memory>      // std::unique_ptr

#include "kubepriv/aws/environment.hpp"
#include "kubepriv/common/clock.hpp"
#include "kubepriv/common/http.hpp"
#include "kubepriv/common/result.hpp"
#include "kubepriv/common/stop.hpp"
#include "kubepriv/ingest/loop.hpp"
#include "kubepriv/modinput/event_writer.hpp"
#include "kubepriv/net/curl_transport.hpp"

namespace kubepriv::ingest {

/// Makes one HTTP transport with the given options (TLS, proxy, CA bundle).
using MakeTransport =
    std::function<std::unique_ptr<common::HttpTransport>(const net::CurlOptions& options)>;

/// The process's transports: libcurl, initialised once (net::curl_global_setup()).
common::Result<MakeTransport> curl_transports();

/// The world as the input's modes see it; every member must outlive the call it is passed to.
struct Runtime {
  const aws::Environment& env;
  const common::Clock& clock;
  common::Sleeper& sleeper;  ///< ends early once `stop` is requested
  const common::StopToken& stop;
  modinput::ByteSink& out;  ///< stdout: the scheme, the XML event stream, pull's JSON lines
  MakeTransport make_transport;
  EventTime event_time;  ///< `<time>` of an event (run mode); empty: CloudWatch's timestamp
};

}  // namespace kubepriv::ingest
