#include "kubepriv/scp/session.hpp"

#include <unistd.h>  // write

#include <algorithm>  // std::min
#include <exception>  // std::exception
#include <new>        // std::bad_alloc

#include "kubepriv/scp/chunk.hpp"

namespace kubepriv::scp {
namespace {

// Most the reply buffer reserves up front (it still grows past this when a reply needs it).
constexpr std::size_t kMaxReplyReserve = std::size_t{64} << 20;

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
  common::ignore(write_chunk(out_fd, error_reply_metadata(message), {}),
                 "best effort: splunkd may already have closed the pipe; the error is logged");
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
  // The body of each request streams through the reader's small window: every record is
  // unescaped and judged while what read(2) delivered is still in cache, and memory stays flat
  // however large the chunk (issue 13).
  ReplyBuffer out;
  std::vector<std::string> names;  // the header row, owned: the window moves under it
  std::vector<std::string_view> columns;
  for (;;) {
    auto chunk = reader.next_streamed();
    if (!chunk) return fail_session(out_fd, err_fd, chunk.error().message);
    if (!*chunk) return kExitOk;
    // A truncated chunk is reported as such, whatever else is wrong with it (as when chunks
    // were read whole before anything was looked at).
    auto fail_chunk = [&](std::string_view message) {
      auto rest = reader.skip_body();
      return fail_session(out_fd, err_fd, rest ? message : std::string_view(rest.error().message));
    };
    auto meta = parse_request_metadata((*chunk)->meta);
    if (!meta) return fail_chunk("execute: " + meta.error().message);
    if (meta->action != "execute") {
      return fail_chunk("expected an execute request, got action '" + meta->action + "'");
    }
    out.clear();
    // The reply buffer lives across chunks (no fresh pages, no zero fill per chunk). Reserving
    // half the body up front spares the first chunks' regrowth copies; pages never written cost
    // nothing.
    // The length is only announced (the body has not arrived): a header claiming 2 GB must not
    // reserve 1 GB before its truncation is found, so the reservation is capped.
    const std::size_t guess = std::min((*chunk)->body_len / 2, kMaxReplyReserve);
    out.reserve(guess);
    CsvReader rows(reader);
    auto header = rows.next(columns);
    if (!header) return fail_chunk(header.error().message);
    if (*header) {
      names.resize(columns.size());
      for (std::size_t i = 0; i < columns.size(); ++i) {
        names[i].assign(columns[i]);
        columns[i] = names[i];
      }
      ExecuteRequest request{meta->finished, columns, rows};
      auto done = handler.execute(request, out);
      if (!done) return fail_chunk(done.error().message);
    }
    auto rest = reader.skip_body();
    if (!rest) return fail_session(out_fd, err_fd, rest.error().message);
    auto wrote = write_chunk(out_fd, finished_metadata(meta->finished), out.view());
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
