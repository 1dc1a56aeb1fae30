#include "kubepriv/scp/session.hpp"

#include <unistd.h>  // write

#include <exception>  // std::exception
#include <new>        // std::bad_alloc

#include "kubepriv/scp/chunk.hpp"

namespace kubepriv::scp {
namespace {

void last_words(int err_fd, std::string_view message) {
  std::string line = "ERROR kubepriv: ";
  line.append(message);
  line.push_back('\n');
  // Best effort: stderr may be closed; nothing useful to do if this fails.
  const ssize_t ignored = ::write(err_fd, line.data(), line.size());
  static_cast<void>(ignored);
}

/// Replies with an error (if possible), logs it, and returns the error exit status.
int fail_session(int out_fd, int err_fd, std::string_view message) {
  last_words(err_fd, message);
  static_cast<void>(write_chunk(out_fd, error_reply_metadata(message), {}));
  return kExitError;
}

int run(int in_fd, int out_fd, Handler& handler, int err_fd) {
  ChunkReader reader(in_fd);

  // --- getinfo ---
  auto first = reader.next();
  if (!first) return fail_session(out_fd, err_fd, first.error().message);
  if (!*first) {
    last_words(err_fd, "no getinfo request: stdin was empty");
    return kExitError;
  }
  {
    auto meta = parse_request_metadata((*first)->meta);
    if (!meta) return fail_session(out_fd, err_fd, "getinfo: " + meta.error().message);
    if (meta->action != "getinfo") {
      return fail_session(out_fd, err_fd,
                          "expected a getinfo request first, got action '" + meta->action + "'");
    }
    if (!(*first)->body.empty()) {
      return fail_session(out_fd, err_fd, "getinfo request carries an unexpected body");
    }
    auto info = handler.getinfo(*meta);
    if (!info) return fail_session(out_fd, err_fd, info.error().message);
    auto wrote = write_chunk(out_fd, getinfo_reply_metadata(info->type, info->required_fields), {});
    if (!wrote) {
      last_words(err_fd, wrote.error().message);
      return kExitError;
    }
  }

  // --- execute requests until EOF (an EOF right after getinfo is a normal probe run) ---
  std::string out;
  std::vector<std::string_view> columns;
  for (;;) {
    auto chunk = reader.next();
    if (!chunk) return fail_session(out_fd, err_fd, chunk.error().message);
    if (!*chunk) return kExitOk;
    auto meta = parse_request_metadata((*chunk)->meta);
    if (!meta) return fail_session(out_fd, err_fd, "execute: " + meta.error().message);
    if (meta->action != "execute") {
      return fail_session(out_fd, err_fd,
                          "expected an execute request, got action '" + meta->action + "'");
    }
    out.clear();
    // The reply buffer lives across chunks (no fresh pages per chunk). Reserving half the body
    // up front spares the first chunks' regrowth copies; pages never written cost nothing.
    if (out.capacity() < (*chunk)->body.size() / 2) out.reserve((*chunk)->body.size() / 2);
    CsvReader rows((*chunk)->body);
    auto header = rows.next(columns);
    if (!header) return fail_session(out_fd, err_fd, header.error().message);
    if (*header) {
      ExecuteRequest request{meta->finished, columns, rows};
      auto done = handler.execute(request, out);
      if (!done) return fail_session(out_fd, err_fd, done.error().message);
    }
    auto wrote = write_chunk(out_fd, finished_metadata(meta->finished), out);
    if (!wrote) {
      last_words(err_fd, wrote.error().message);
      return kExitError;
    }
  }
}

}  // namespace

int run_session(int in_fd, int out_fd, Handler& handler, int err_fd) noexcept {
  try {
    return run(in_fd, out_fd, handler, err_fd);
  } catch (const std::bad_alloc&) {
    return fail_session(out_fd, err_fd, "out of memory");
  } catch (const std::exception& e) {
    return fail_session(out_fd, err_fd, std::string("internal error: ") + e.what());
  } catch (...) {
    return fail_session(out_fd, err_fd, "internal error");
  }
}

}  // namespace kubepriv::scp
