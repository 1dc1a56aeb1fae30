// Directory inputs: rotation order and the "clearly not a log" sniff; the progress-line helpers.
#include "kubepriv/scan/inputs.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "kubepriv/common/progress.hpp"

namespace kubepriv::scan {
namespace {

std::vector<std::string> sorted(std::vector<std::string> names) {
  sort_by_rotation(names);
  return names;
}

TEST(RotationOrder, KubeApiserverTimestampsOldestFirstLiveFileLast) {
  EXPECT_EQ(
      sorted({"audit.log", "audit-2024-05-02T10-00-00.000.log",
              "audit-2024-05-01T23-59-59.999.log.gz", "audit-2024-04-30T00-00-00.000.log.gz"}),
      (std::vector<std::string>{"audit-2024-04-30T00-00-00.000.log.gz",
                                "audit-2024-05-01T23-59-59.999.log.gz",
                                "audit-2024-05-02T10-00-00.000.log", "audit.log"}));
}

TEST(RotationOrder, LogrotateNumbersHighestFirstAndDateext) {
  EXPECT_EQ(
      sorted({"audit.log", "audit.log.1", "audit.log.10.gz", "audit.log.2.gz"}),
      (std::vector<std::string>{"audit.log.10.gz", "audit.log.2.gz", "audit.log.1", "audit.log"}));
  EXPECT_EQ(sorted({"audit.log", "audit.log-20240502", "audit.log-20240501.gz"}),
            (std::vector<std::string>{"audit.log-20240501.gz", "audit.log-20240502", "audit.log"}));
}

TEST(RotationOrder, SeparateLogsByNameEachInRotationOrder) {
  EXPECT_EQ(sorted({"b.log", "a.log", "b-2024-01-01T00-00-00.000.log", "a.log.1", "other.json"}),
            (std::vector<std::string>{"a.log.1", "a.log", "b-2024-01-01T00-00-00.000.log", "b.log",
                                      "other.json"}));
  // A short number after a dash is a name, not a timestamp.
  EXPECT_EQ(sorted({"x-2.log", "x-1.log"}), (std::vector<std::string>{"x-1.log", "x-2.log"}));
}

TEST(NotALog, JsonCompressedEmptyAndBlankMayBeLogs) {
  for (const std::string& head :
       {std::string(), std::string("  \n"), std::string("{\"kind\":\"Event\"}"),
        std::string("\xEF\xBB\xBF[\n"), std::string("\n\n  {"), std::string("\x1f\x8b\x08\0", 4),
        std::string("\x28\xb5\x2f\xfd\0", 5)}) {
    EXPECT_EQ(not_a_log_reason(head), "") << head;
  }
}

TEST(NotALog, BinaryAndOtherTextAreNot) {
  EXPECT_EQ(not_a_log_reason(std::string("\x89PNG\r\n\x1a\n\0\0", 10)), "binary data");
  EXPECT_EQ(not_a_log_reason("# notes\n{}"), "text that does not start with JSON");
  EXPECT_EQ(not_a_log_reason("2017-03-21T03:57:09 AUDIT: id=..."),
            "text that does not start with JSON");
}

TEST(ProgressLine, FormatsSizesCountsDurations) {
  EXPECT_EQ(common::format_bytes(512), "512 B");
  EXPECT_EQ(common::format_bytes(1536), "1.50 KiB");
  EXPECT_EQ(common::format_bytes(std::uint64_t{300} << 20U), "300 MiB");
  EXPECT_EQ(common::format_bytes(std::uint64_t{5} << 30U), "5.00 GiB");
  EXPECT_EQ(common::format_count(950), "950");
  EXPECT_EQ(common::format_count(12345), "12.3k");
  EXPECT_EQ(common::format_count(4560000), "4.56M");
  EXPECT_EQ(common::format_duration(std::chrono::seconds(5)), "0:05");
  EXPECT_EQ(common::format_duration(std::chrono::seconds(754)), "12:34");
  EXPECT_EQ(common::format_duration(std::chrono::seconds(3723)), "1:02:03");
}

std::string drain(int fd) {
  std::string got;
  char buf[256];
  ssize_t n = 0;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) got.append(buf, static_cast<std::size_t>(n));
  return got;
}

TEST(ProgressLine, DrawsInPlaceAtMostEveryIntervalAndErases) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const auto t0 = common::ProgressLine::Clock::now();
  {
    common::ProgressLine line(fds[1], true, std::chrono::milliseconds(250));
    EXPECT_TRUE(line.due(t0));
    line.show("one", t0);
    EXPECT_FALSE(line.due(t0 + std::chrono::milliseconds(100)));
    EXPECT_TRUE(line.due(t0 + std::chrono::milliseconds(250)));
    line.show("two", t0 + std::chrono::milliseconds(250));
    line.clear();
    line.clear();  // nothing drawn: nothing written
    line.show("three", t0 + std::chrono::milliseconds(500));
  }  // the destructor erases
  ::close(fds[1]);
  EXPECT_EQ(drain(fds[0]), "\rone\x1b[K\rtwo\x1b[K\r\x1b[K\rthree\x1b[K\r\x1b[K");
  ::close(fds[0]);
}

TEST(ProgressLine, DisabledWritesNothingAndPipesAreNotTerminals) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  EXPECT_FALSE(common::progress_wanted(fds[1], false, false));
  EXPECT_TRUE(common::progress_wanted(fds[1], true, false));
  EXPECT_FALSE(common::progress_wanted(fds[1], true, true));
  {
    common::ProgressLine line(fds[1], false);
    EXPECT_FALSE(line.due());
    line.show("x");
    line.clear();
  }
  ::close(fds[1]);
  EXPECT_EQ(drain(fds[0]), "");
  ::close(fds[0]);
}

}  // namespace
}  // namespace kubepriv::scan
