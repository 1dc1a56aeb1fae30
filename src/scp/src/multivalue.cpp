#include "kubepriv/scp/multivalue.hpp"

#include "doubling.hpp"

namespace kubepriv::scp {

using common::ErrorCode;
using common::fail;

common::Result<void> mv_decode(std::span<char> encoded, std::vector<std::string_view>& values) {
  values.clear();
  char* r = encoded.data();
  char* const end = r + encoded.size();
  for (;;) {
    if (r >= end || *r != '$') {
      return fail(ErrorCode::kParse, "multivalue cell: expected '$' to open a value");
    }
    ++r;
    char* const start = r;
    char* w = r;
    for (;;) {
      if (r >= end) return fail(ErrorCode::kParse, "multivalue cell: value never closed by '$'");
      if (*r == '$') {
        if (r + 1 < end && r[1] == '$') {  // $$ -> $
          *w++ = '$';
          r += 2;
          continue;
        }
        ++r;  // the closing $
        break;
      }
      *w++ = *r++;
    }
    values.emplace_back(start, static_cast<std::size_t>(w - start));
    if (r == end) return {};
    if (*r != ';') return fail(ErrorCode::kParse, "multivalue cell: expected ';' between values");
    ++r;
  }
}

void mv_append_encoded(std::string& out, std::span<const std::string_view> values) {
  bool first = true;
  for (std::string_view v : values) {
    if (!first) out.push_back(';');
    first = false;
    out.push_back('$');
    detail::append_doubling(out, v, '$');
    out.push_back('$');
  }
}

void mv_append_joined(std::string& out, std::span<const std::string_view> values) {
  bool first = true;
  for (std::string_view v : values) {
    if (!first) out.push_back('\n');
    first = false;
    out.append(v);
  }
}

}  // namespace kubepriv::scp
