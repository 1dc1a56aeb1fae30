#pragma once
/// @file
/// The body of one reply, built through a raw cursor. Its storage lives across requests and is
/// never zero-filled: a chunk's reply writes into pages an earlier chunk already touched, with
/// neither page clearing nor a memset per chunk, and the first chunk's pages are huge ones where
/// the kernel allows (issue 13).

#include <cstddef>      // std::size_t
#include <memory>       // std::unique_ptr
#include <string_view>  // std::string_view

namespace kubepriv::scp {

class ReplyBuffer {
 public:
  ReplyBuffer() = default;
  ReplyBuffer(const ReplyBuffer&) = delete;
  ReplyBuffer& operator=(const ReplyBuffer&) = delete;
  ReplyBuffer(ReplyBuffer&&) = delete;  // a moved-from buffer would keep its sizes
  ReplyBuffer& operator=(ReplyBuffer&&) = delete;
  ~ReplyBuffer() = default;

  /// A cursor with room for `bytes` bytes after what was written; hand the end of what was
  /// written to commit(). Growing keeps the bytes written so far (and may move them).
  char* room(std::size_t bytes) {
    if (capacity_ - size_ < bytes) grow(bytes);
    return data_.get() + size_;
  }
  /// Marks everything up to `end` (a cursor from room(), advanced) as written.
  void commit(const char* end) noexcept { size_ = static_cast<std::size_t>(end - data_.get()); }
  void append(std::string_view bytes);
  /// Forgets the bytes, keeps the storage.
  void clear() noexcept { size_ = 0; }
  /// Makes room for `bytes` bytes in all without growing again.
  void reserve(std::size_t bytes) {
    if (capacity_ < bytes) grow(bytes - size_);
  }
  [[nodiscard]] std::string_view view() const noexcept { return {data_.get(), size_}; }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }

 private:
  /// Reallocates for at least `bytes` more bytes (at least doubling), copying what was written.
  void grow(std::size_t bytes);

  struct Free {
    void operator()(char* p) const noexcept;
  };
  std::unique_ptr<char, Free> data_;  ///< not zero-filled; huge pages from 2 MiB on (see .cpp)
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

}  // namespace kubepriv::scp
