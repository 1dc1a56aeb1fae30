#include "kubepriv/modinput/checkpoint.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>

namespace mi = kubepriv::modinput;
namespace fs = std::filesystem;

namespace {

class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/kubepriv-ckpt-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
};

std::string slurp(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

}  // namespace

TEST_F(CheckpointTest, MissingMeansNone) {
  auto s = mi::CheckpointStore::open(dir_);
  ASSERT_TRUE(s);
  auto l = s->load("eks_audit_logs://a");
  ASSERT_TRUE(l);
  EXPECT_FALSE(l->has_value());
}

TEST_F(CheckpointTest, RoundTripAndReplace) {
  auto s = mi::CheckpointStore::open(dir_);
  ASSERT_TRUE(s);
  const std::string payload = std::string("{\"end\":1}\n\0binary", 17);
  ASSERT_TRUE(s->save("eks_audit_logs://a", payload));
  EXPECT_EQ(**s->load("eks_audit_logs://a"), payload);
  ASSERT_TRUE(s->save("eks_audit_logs://a", "second"));
  EXPECT_EQ(**s->load("eks_audit_logs://a"), "second");
  EXPECT_FALSE(fs::exists(s->path_for("eks_audit_logs://a") + ".tmp"));
  struct stat sb {};
  ASSERT_EQ(::stat(s->path_for("eks_audit_logs://a").c_str(), &sb), 0);
  EXPECT_EQ(sb.st_mode & 0777, 0600u);
}

TEST_F(CheckpointTest, NamesDoNotCollide) {
  auto s = mi::CheckpointStore::open(dir_);
  ASSERT_TRUE(s);
  EXPECT_NE(s->path_for("x://a/b"), s->path_for("x://a_b"));
  ASSERT_TRUE(s->save("x://a/b", "one"));
  ASSERT_TRUE(s->save("x://a_b", "two"));
  EXPECT_EQ(**s->load("x://a/b"), "one");
  EXPECT_EQ(**s->load("x://a_b"), "two");
  EXPECT_EQ(s->path_for("x://../../etc/passwd").find("/../"), std::string::npos);
}

TEST_F(CheckpointTest, CorruptionIsAnErrorNotAFreshStart) {
  auto s = mi::CheckpointStore::open(dir_);
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->save("in", "payload-123"));
  const std::string path = s->path_for("in");
  const std::string good = slurp(path);
  const auto write = [&](const std::string& c) { std::ofstream(path, std::ios::binary) << c; };

  std::string flipped = good;
  flipped.back() = '4';
  write(flipped);
  auto l = s->load("in");
  ASSERT_FALSE(l);
  EXPECT_NE(l.error().message.find("checksum"), std::string::npos) << l.error().message;
  EXPECT_NE(l.error().message.find("Move the file aside"), std::string::npos);

  write(good.substr(0, good.size() - 2));  // truncated
  EXPECT_NE(s->load("in").error().message.find("length"), std::string::npos);
  write("");
  EXPECT_FALSE(s->load("in"));
  write("garbage\n");
  EXPECT_FALSE(s->load("in"));
  // The header is read strictly (it used to go through sscanf, which took "+11", " 11" and
  // anything after the hash).
  const std::string hash = good.substr(good.find('\n') - 16, 16);
  for (const std::string& header : std::initializer_list<std::string>{
           "+11 " + hash, " 11 " + hash, "-11 " + hash, "11  " + hash, "11 " + hash + " x",
           "11 " + hash.substr(1), "11", "11 ", "99999999999999999999 " + hash}) {
    write("kubepriv-checkpoint v1 " + header + "\npayload-123");
    auto bad = s->load("in");
    ASSERT_FALSE(bad) << header;
    EXPECT_NE(bad.error().message.find("bad header fields"), std::string::npos) << header;
  }
  write("kubepriv-checkpoint v1 11 " + hash + "\npayload-123");
  EXPECT_EQ(**s->load("in"), "payload-123");
  write(good);
  EXPECT_EQ(**s->load("in"), "payload-123");
}

TEST_F(CheckpointTest, StaleTempFileIgnored) {
  auto s = mi::CheckpointStore::open(dir_);
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->save("in", "kept"));
  std::ofstream(s->path_for("in") + ".tmp") << "half-writ";  // a crash between write and rename
  EXPECT_EQ(**s->load("in"), "kept");
  ASSERT_TRUE(s->save("in", "next"));
  EXPECT_EQ(**s->load("in"), "next");
}

TEST_F(CheckpointTest, CreatesMissingDirAndRejectsFile) {
  auto s = mi::CheckpointStore::open(dir_ + "/sub/");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_TRUE(fs::is_directory(dir_ + "/sub"));
  std::ofstream(dir_ + "/file") << "x";
  EXPECT_FALSE(mi::CheckpointStore::open(dir_ + "/file"));
  EXPECT_FALSE(mi::CheckpointStore::open(""));
}
