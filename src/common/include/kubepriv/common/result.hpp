#pragma once
/// @file
/// Result<T>: the error type that crosses layer boundaries. tl::expected (Debian libexpected-dev)
/// because std::expected is not available to clang-14 with libstdc++ 12 (style.md §5.2).

#include <string>       // std::string
#include <string_view>  // std::string_view
#include <tl/expected.hpp>
#include <utility>  // std::move

namespace kubepriv::common {

/// Broad error classes; each layer refines the message, not the enum.
enum class ErrorCode {
  kInvalidArgument,  ///< the caller (user, config) gave a bad value
  kParse,            ///< input bytes are not what the format requires
  kProtocol,         ///< a peer broke a protocol rule (framing, ordering)
  kIo,               ///< reading or writing a file, pipe or socket failed
  kNotFound,         ///< a named thing does not exist
  kAuth,             ///< credentials missing, expired or rejected
  kThrottled,        ///< the peer asked us to slow down
  kUnavailable,      ///< transient failure; retrying may succeed
  kTimeout,          ///< no answer in time
  kInternal,         ///< a bug of ours
  kCancelled,        ///< stopped on request (SIGTERM): not a failure
};

/// Human-readable name of an error code (stable; used in logs and tests).
std::string_view to_string(ErrorCode code) noexcept;

/// An error: a class and a message meant for a person (never containing a secret).
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
};

template <typename T>
using Result = tl::expected<T, Error>;

/// Shorthand for returning an error: `return fail(ErrorCode::kParse, "bad header");`
inline tl::unexpected<Error> fail(ErrorCode code, std::string message) {
  return tl::unexpected<Error>(Error{code, std::move(message)});
}

}  // namespace kubepriv::common
