#include "kubepriv/modinput/checkpoint.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "kubepriv/common/decimal.hpp"
#include "kubepriv/common/hex.hpp"

namespace kubepriv::modinput {

using common::ErrorCode;
using common::fail;
using common::Result;

namespace {

constexpr std::string_view kMagic = "kubepriv-checkpoint v1 ";

std::uint64_t fnv1a64(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::string hex64(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return std::string(buf, 16);
}

std::string errno_text() {
  return std::strerror(errno);
}

struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

Result<void> write_all(int fd, std::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(ErrorCode::kIo, "writing checkpoint " + path + ": " + errno_text());
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

}  // namespace

Result<CheckpointStore> CheckpointStore::open(std::string dir) {
  if (dir.empty()) return fail(ErrorCode::kInvalidArgument, "checkpoint_dir is empty");
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  struct stat sb {};
  if (::stat(dir.c_str(), &sb) != 0) {
    if (errno != ENOENT || ::mkdir(dir.c_str(), 0700) != 0) {
      return fail(ErrorCode::kIo, "checkpoint_dir " + dir + ": " + errno_text());
    }
  } else if (!S_ISDIR(sb.st_mode)) {
    return fail(ErrorCode::kIo, "checkpoint_dir " + dir + " is not a directory");
  }
  return CheckpointStore(std::move(dir));
}

std::string CheckpointStore::path_for(std::string_view input_name) const {
  std::string safe;
  for (const char c : input_name.substr(0, 100)) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    safe += ok ? c : '_';
  }
  // The hash keeps "a/b" and "a_b" apart after sanitising.
  return dir_ + "/" + safe + "-" + hex64(fnv1a64(input_name)).substr(0, 12) + ".ckpt";
}

Result<std::optional<std::string>> CheckpointStore::load(std::string_view input_name) const {
  const std::string path = path_for(input_name);
  Fd f(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (f.fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>{};
    return fail(ErrorCode::kIo, "reading checkpoint " + path + ": " + errno_text());
  }
  std::string content;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(f.fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(ErrorCode::kIo, "reading checkpoint " + path + ": " + errno_text());
    }
    if (n == 0) break;
    content.append(buf, static_cast<std::size_t>(n));
    if (content.size() > (256u << 20)) {
      return fail(ErrorCode::kParse, "checkpoint " + path + " is larger than 256 MB; corrupt?");
    }
  }
  const std::string corrupt =
      "checkpoint " + path +
      " is corrupt; refusing to guess where to resume. Move the file aside to start again from "
      "start_position (this may repeat or skip events): ";
  const auto nl = content.find('\n');
  if (nl == std::string::npos || content.compare(0, kMagic.size(), kMagic) != 0) {
    return fail(ErrorCode::kParse, corrupt + "bad header");
  }
  // Header: "kubepriv-checkpoint v1 <length> <fnv1a64 hex>\n"
  const std::string header = content.substr(kMagic.size(), nl - kMagic.size());
  // Exactly what save() writes: decimal digits, one space, 16 lower-case hex digits.
  const auto space = header.find(' ');
  const auto len = common::parse_decimal<std::uint64_t>(std::string_view(header).substr(0, space));
  const std::string_view hash =
      space == std::string::npos ? std::string_view{} : std::string_view(header).substr(space + 1);
  if (!len || hash.size() != 16 || !common::hex_decode(hash)) {
    return fail(ErrorCode::kParse, corrupt + "bad header fields");
  }
  std::string payload = content.substr(nl + 1);
  if (payload.size() != *len) {
    return fail(ErrorCode::kParse, corrupt + "length " + std::to_string(payload.size()) +
                                       " != recorded " + std::to_string(*len));
  }
  if (hex64(fnv1a64(payload)) != hash) {
    return fail(ErrorCode::kParse, corrupt + "checksum mismatch");
  }
  return std::optional<std::string>(std::move(payload));
}

Result<void> CheckpointStore::save(std::string_view input_name, std::string_view payload) const {
  const std::string path = path_for(input_name);
  const std::string tmp = path + ".tmp";
  std::string content(kMagic);
  content += std::to_string(payload.size()) + " " + hex64(fnv1a64(payload)) + "\n";
  content.append(payload);
  {
    Fd f(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (f.fd < 0) return fail(ErrorCode::kIo, "creating " + tmp + ": " + errno_text());
    if (auto r = write_all(f.fd, content, tmp); !r) return r;
    if (::fsync(f.fd) != 0) return fail(ErrorCode::kIo, "fsync " + tmp + ": " + errno_text());
    const int fd = f.fd;
    f.fd = -1;
    if (::close(fd) != 0) return fail(ErrorCode::kIo, "close " + tmp + ": " + errno_text());
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return fail(ErrorCode::kIo, "renaming " + tmp + " to " + path + ": " + errno_text());
  }
  // The rename is durable only once the directory entry is on disk.
  Fd d(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (d.fd < 0 || ::fsync(d.fd) != 0) {
    return fail(ErrorCode::kIo, "fsync of checkpoint_dir " + dir_ + ": " + errno_text());
  }
  return {};
}

}  // namespace kubepriv::modinput
