#include "kubepriv/common/ascii.hpp"

#include <gtest/gtest.h>

#include <string>

namespace kubepriv::common {
namespace {

TEST(AsciiLower, FoldsOnlyAToZ) {
  EXPECT_EQ(ascii_lower("X-Amz-Date"), "x-amz-date");
  EXPECT_EQ(ascii_lower("TRUE"), "true");
  EXPECT_EQ(ascii_lower(""), "");
  // '@' and '[' sit just outside A-Z; UTF-8 bytes and NUL are left as they are.
  EXPECT_EQ(ascii_lower("@AZ[`az{"), "@az[`az{");
  const std::string utf8 = "\xC3\x89T\xC3\x89";  // "ÉTÉ"
  EXPECT_EQ(ascii_lower(utf8), "\xC3\x89t\xC3\x89");
  EXPECT_EQ(ascii_lower(std::string("A\0B", 3)), std::string("a\0b", 3));
}

}  // namespace
}  // namespace kubepriv::common
