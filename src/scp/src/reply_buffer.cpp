#include "kubepriv/scp/reply_buffer.hpp"

#include <algorithm>  // std::max
#include <cstring>    // std::memcpy

namespace kubepriv::scp {

void ReplyBuffer::append(std::string_view bytes) {
  char* p = room(bytes.size());
  if (!bytes.empty()) std::memcpy(p, bytes.data(), bytes.size());
  size_ += bytes.size();
}

void ReplyBuffer::grow(std::size_t bytes) {
  const std::size_t want = std::max(size_ + bytes, 2 * capacity_);
  // Default-initialised: no zero fill (every byte handed out is written before it is read).
  auto next = std::make_unique_for_overwrite<char[]>(want);
  if (size_ != 0) std::memcpy(next.get(), data_.get(), size_);
  data_ = std::move(next);
  capacity_ = want;
}

}  // namespace kubepriv::scp
