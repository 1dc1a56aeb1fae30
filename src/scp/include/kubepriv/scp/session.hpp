#pragma once
/// @file
/// The SCP v2 session driver: one getinfo exchange, then one reply per execute request until
/// EOF (splunk-protocols.md §0, §1). The command logic plugs in through Handler.

#include <span>         // std::span
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <vector>       // std::vector

#include "kubepriv/common/result.hpp"
#include "kubepriv/scp/csv.hpp"
#include "kubepriv/scp/metadata.hpp"
#include "kubepriv/scp/reply_buffer.hpp"

namespace kubepriv::scp {

/// What getinfo answers on success.
struct GetinfoReply {
  std::string type = "streaming";
  std::vector<std::string> required_fields;
};

/// One execute request with a CSV header: the column names (held by the session for the whole
/// call) and a reader positioned on the first record. The body streams through a small window,
/// so the views of a record stay valid only until the next record is read.
struct ExecuteRequest {
  bool finished = false;
  std::span<const std::string_view> columns;
  CsvReader& rows;
};

/// The command behind a session.
class Handler {
 public:
  virtual ~Handler() = default;
  /// Validates the SPL arguments. An error becomes the getinfo error reply.
  virtual common::Result<GetinfoReply> getinfo(const RequestMetadata& request) = 0;
  /// Produces the reply body (CSV, possibly empty) for a request with at least a header row.
  /// `out` is cleared before the call and reused between calls. An error fails the search.
  virtual common::Result<void> execute(ExecuteRequest& request, ReplyBuffer& out) = 0;
};

/// Exit statuses of run_session.
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;

/// Runs one whole session: reads requests from `in_fd`, writes replies to `out_fd`, and
/// returns the exit status. Errors are answered with `{"finished":true,"error":...}` when a
/// reply is still possible, with one `ERROR kubepriv: ...` line on `err_fd` (nothing on the
/// normal path).
int run_session(int in_fd, int out_fd, Handler& handler, int err_fd = 2) noexcept;

}  // namespace kubepriv::scp
