#pragma once
// Test helper shared by the scp tests: a pipe that delivers one byte per read(2).

#include <sys/ioctl.h>  // ioctl, FIONREAD
#include <unistd.h>     // pipe, write, close

#include <atomic>  // std::atomic
#include <string>  // std::string
#include <thread>  // std::thread

namespace kubepriv::scp::testing {

/// Writes `data` to a pipe one byte at a time, each byte only once the reader took the one
/// before, so every read(2) returns exactly one byte.
class DripPipe {
 public:
  explicit DripPipe(std::string data) {
    int fds[2];
    if (::pipe(fds) != 0) fds[0] = fds[1] = -1;
    r_ = fds[0];
    const int w = fds[1];
    writer_ = std::thread([this, w, d = std::move(data)] {
      // The pipe is empty before every write, so a write never blocks, and a reader that stopped
      // early (an error) only leaves this loop spinning until the destructor says stop.
      for (char c : d) {
        if (stop_ || ::write(w, &c, 1) != 1) break;
        int queued = 1;
        while (!stop_ && ::ioctl(w, FIONREAD, &queued) == 0 && queued > 0) {
          std::this_thread::yield();
        }
      }
      ::close(w);
    });
  }
  ~DripPipe() {
    stop_ = true;
    writer_.join();
    ::close(r_);  // only now: no write can meet a closed pipe (SIGPIPE)
  }
  DripPipe(const DripPipe&) = delete;
  DripPipe& operator=(const DripPipe&) = delete;
  [[nodiscard]] int read_fd() const { return r_; }

 private:
  int r_ = -1;
  std::atomic<bool> stop_{false};
  std::thread writer_;
};

}  // namespace kubepriv::scp::testing
