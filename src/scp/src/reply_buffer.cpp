#include "kubepriv/scp/reply_buffer.hpp"

#include <sys/mman.h>  // madvise

#include <algorithm>  // std::max
#include <cstdlib>    // std::aligned_alloc, std::malloc
#include <cstring>    // std::memcpy
#include <new>        // std::bad_alloc

namespace kubepriv::scp {
namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20;

/// At least `bytes` bytes, not zero-filled; `bytes` becomes what was allocated. From 2 MiB on,
/// whole 2 MiB pages offered to transparent huge pages: a 10,000-row reply (3 MB on the typical
/// mix) then costs two page faults instead of 800 on the first chunk (measured +4 % for the
/// whole command on a 2-chunk stream). Advisory: where the kernel says no, pages stay 4 KiB.
char* allocate(std::size_t& bytes) {
  char* p = nullptr;
  if (bytes >= kHugePage) {
    bytes = (bytes + kHugePage - 1) & ~(kHugePage - 1);
    p = static_cast<char*>(std::aligned_alloc(kHugePage, bytes));
#if defined(MADV_HUGEPAGE)
    if (p != nullptr) ::madvise(p, bytes, MADV_HUGEPAGE);
#endif
  } else {
    p = static_cast<char*>(std::malloc(bytes));
  }
  if (p == nullptr) throw std::bad_alloc();  // run_session turns this into an error reply
  return p;
}

}  // namespace

void ReplyBuffer::Free::operator()(char* p) const noexcept {
  std::free(p);  // NOLINT(cppcoreguidelines-no-malloc): allocate()'s aligned_alloc
}

void ReplyBuffer::append(std::string_view bytes) {
  char* p = room(bytes.size());
  if (!bytes.empty()) std::memcpy(p, bytes.data(), bytes.size());
  size_ += bytes.size();
}

void ReplyBuffer::grow(std::size_t bytes) {
  std::size_t want = std::max(size_ + bytes, 2 * capacity_);
  std::unique_ptr<char, Free> next(allocate(want));
  if (size_ != 0) std::memcpy(next.get(), data_.get(), size_);
  data_ = std::move(next);
  capacity_ = want;
}

}  // namespace kubepriv::scp
