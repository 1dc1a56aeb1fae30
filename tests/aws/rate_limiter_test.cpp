#include "kubepriv/aws/rate_limiter.hpp"

#include <gtest/gtest.h>

#include "kubepriv/testing/fake_clock.hpp"

using namespace kubepriv;
using namespace std::chrono_literals;

TEST(TokenBucket, RateIsRespectedWithFakeClock) {
  common::FakeClock clock;
  common::FakeSleeper sleeper(&clock);
  aws::TokenBucket b(2.0, 1.0, clock);
  const auto start = clock.monotonic();
  for (int i = 0; i < 21; ++i) ASSERT_TRUE(b.acquire(sleeper));
  // 1 immediately, then 20 more at 2/s: 10 s of (fake) waiting.
  const auto elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock.monotonic() - start);
  EXPECT_GE(elapsed.count(), 9990);
  EXPECT_LE(elapsed.count(), 10100);
}

TEST(TokenBucket, BurstAndTryAcquire) {
  common::FakeClock clock;
  aws::TokenBucket b(1.0, 3.0, clock);
  EXPECT_TRUE(b.try_acquire());
  EXPECT_TRUE(b.try_acquire());
  EXPECT_TRUE(b.try_acquire());
  EXPECT_FALSE(b.try_acquire());
  EXPECT_EQ(b.wait_time(), 1000ms);
  clock.advance(500ms);
  EXPECT_FALSE(b.try_acquire());
  clock.advance(500ms);
  EXPECT_TRUE(b.try_acquire());
  clock.advance(1h);  // idling does not store more than the burst
  int n = 0;
  while (b.try_acquire()) ++n;
  EXPECT_EQ(n, 3);
}

TEST(TokenBucket, ThrottleSlowsDownAndSuccessRecovers) {
  common::FakeClock clock;
  aws::TokenBucket b(2.0, 1.0, clock);
  b.on_throttle();
  EXPECT_DOUBLE_EQ(b.rate(), 1.0);
  b.on_throttle();
  b.on_throttle();
  EXPECT_DOUBLE_EQ(b.rate(), 0.5);  // floor
  for (int i = 0; i < 100; ++i) b.on_success();
  EXPECT_DOUBLE_EQ(b.rate(), 2.0);
}

TEST(TokenBucket, StoppedSleeperEndsWait) {
  common::FakeClock clock;
  common::FakeSleeper sleeper(&clock);
  aws::TokenBucket b(1.0, 1.0, clock);
  ASSERT_TRUE(b.acquire(sleeper));
  sleeper.stop = true;
  EXPECT_FALSE(b.acquire(sleeper));
}

TEST(TokenBucket, SharedPerKey) {
  common::FakeClock clock;
  auto a = aws::shared_token_bucket("acct/us-east-1", 2.0, clock);
  auto b = aws::shared_token_bucket("acct/us-east-1", 5.0, clock);
  auto c = aws::shared_token_bucket("acct/eu-west-1", 2.0, clock);
  EXPECT_EQ(a.get(), b.get());
  EXPECT_NE(a.get(), c.get());
  EXPECT_TRUE(a->try_acquire());
  EXPECT_FALSE(b->try_acquire());  // same bucket
  EXPECT_TRUE(c->try_acquire());
}
