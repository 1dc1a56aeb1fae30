// Time from process start to the getinfo reply of the search command, as splunkd sees it:
// spawn, write the getinfo request, read until the whole reply chunk has arrived. Then EOF
// (a getinfo-only probe run, which must exit 0 silently).
// usage: scp_getinfo_latency KUBEPRIV GETINFO_FILE [runs]; prints median / p90 / max in ms.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

extern char** environ;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fputs("usage: scp_getinfo_latency KUBEPRIV GETINFO_FILE [runs]\n", stderr);
    return 2;
  }
  const int runs = argc > 3 ? std::atoi(argv[3]) : 200;
  std::string request;
  {
    std::FILE* f = std::fopen(argv[2], "rb");
    if (f == nullptr) return 1;
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) request.append(buf, n);
    std::fclose(f);
  }
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    int in[2];
    int out[2];
    if (::pipe(in) != 0 || ::pipe(out) != 0) return 1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addclose(&fa, in[1]);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    char* child_argv[] = {argv[1], nullptr};
    const auto t0 = std::chrono::steady_clock::now();
    pid_t pid = 0;
    if (posix_spawn(&pid, argv[1], &fa, nullptr, child_argv, environ) != 0) return 1;
    ::close(in[0]);
    ::close(out[1]);
    if (::write(in[1], request.data(), request.size()) != static_cast<ssize_t>(request.size()))
      return 1;
    // Read the header line, then exactly meta + body bytes.
    std::string got;
    char buf[4096];
    std::size_t want = 0;
    while (want == 0 || got.size() < want) {
      const ssize_t n = ::read(out[0], buf, sizeof buf);
      if (n <= 0) {
        std::fprintf(stderr, "run %d: no complete getinfo reply\n", i);
        return 1;
      }
      got.append(buf, static_cast<std::size_t>(n));
      const auto nl = got.find('\n');
      if (want == 0 && nl != std::string::npos) {
        unsigned long m = 0;
        unsigned long b = 0;
        if (std::sscanf(got.c_str(), "chunked 1.0,%lu,%lu", &m, &b) != 2) return 1;
        want = nl + 1 + m + b;
      }
    }
    const auto t1 = std::chrono::steady_clock::now();
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    ::close(in[1]);  // EOF right after getinfo
    int status = 0;
    ::waitpid(pid, &status, 0);
    ::close(out[0]);
    posix_spawn_file_actions_destroy(&fa);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      std::fprintf(stderr, "run %d: getinfo-only run did not exit 0\n", i);
      return 1;
    }
  }
  std::sort(ms.begin(), ms.end());
  const auto at = [&](double q) {
    return ms[static_cast<std::size_t>(q * static_cast<double>(ms.size() - 1))];
  };
  std::printf(
      "getinfo reply after process start: median %.2f ms, p90 %.2f ms, max %.2f ms (%d runs)\n",
      at(0.5), at(0.9), ms.back(), runs);
  return 0;
}
