#pragma once
/// @file
/// Result<T>: the error type that crosses layer boundaries. tl::expected (Debian libexpected-dev)
/// because std::expected is not available to clang-14 with libstdc++ 12 (style.md §5.2).

#include <string>       // std::string
#include <string_view>  // std::string_view
#include <tl/expected.hpp>
#include <type_traits>  // std::true_type
#include <utility>      // std::move

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

/// The result of anything that can fail: a value or an Error.
///
/// A thin `[[nodiscard]]` class over tl::expected<T, Error> rather than an alias of it, so that a
/// call whose Result is dropped (`store.save(cp);`) is a warning, and an error under -Werror (the
/// ci, asan-ubsan and fuzz presets). One attribute on the type covers every function, virtual
/// override and lambda that returns a Result, including the ones written tomorrow; `[[nodiscard]]`
/// on each declaration would have to be remembered each time (tests/common/nodiscard/ fails the
/// build if the attribute goes away).
///
/// Everything else is tl::expected's: the constructors are inherited (values, `fail(...)`,
/// `tl::unexpected`, `return {};` for Result<void>), a tl::expected<T, Error> converts implicitly
/// (what `.map()` and `.map_error()` return), and `.and_then()` accepts callables returning a
/// Result (the trait specialisation below). To drop a Result on purpose, say why with ignore().
template <typename T>
class [[nodiscard]] Result : public tl::expected<T, Error> {
 public:
  using Base = tl::expected<T, Error>;
  using Base::Base;
  Result() = default;
  // NOLINTNEXTLINE(google-explicit-constructor): implicit by design, as tl::expected's own.
  Result(Base base) : Base(std::move(base)) {}
};

/// Drops a Result on purpose; `why` is there for the reader (e.g. "best effort: the process is
/// exiting anyway"). Prefer handling the error: this is for the rare case where nothing can be
/// done.
template <typename T>
constexpr void ignore(const Result<T>& /*result*/, std::string_view /*why*/) noexcept {}

/// Shorthand for returning an error: `return fail(ErrorCode::kParse, "bad header");`
inline tl::unexpected<Error> fail(ErrorCode code, std::string message) {
  return tl::unexpected<Error>(Error{code, std::move(message)});
}

}  // namespace kubepriv::common

/// `.and_then(f)` checks that f returns an expected; a Result is one.
template <typename T>
struct tl::detail::is_expected_impl<kubepriv::common::Result<T>> : std::true_type {};
