// The answer queue: answers run off the caller's thread, in order, and none
// is lost when it stops.

#include "controller/service/answer_queue.h"

#include <mutex>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace swell::controller {
namespace {

TEST(AnswerQueueTest, AnswersRunInOrderOnAThreadOfTheirOwn) {
  AnswerQueue queue;
  std::mutex mu;
  std::vector<int> ran;
  std::thread::id where;
  absl::Notification done;
  for (int i = 0; i < 5; ++i) {
    queue.Post([&, i] {
      std::lock_guard<std::mutex> lock(mu);
      ran.push_back(i);
      where = std::this_thread::get_id();
      if (i == 4) done.Notify();
    });
  }
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(20)));
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(ran, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_NE(where, std::this_thread::get_id());
}

TEST(AnswerQueueTest, StopRunsWhatIsQueuedAndLaterAnswersRunAtOnce) {
  AnswerQueue queue;
  absl::Notification release;
  int ran = 0;  // written by the queue's thread, read after Stop joined it
  queue.Post([&] {
    release.WaitForNotification();
    ++ran;
  });
  queue.Post([&] { ++ran; });
  release.Notify();
  queue.Stop();
  EXPECT_EQ(ran, 2);

  std::thread::id where;
  queue.Post([&] { where = std::this_thread::get_id(); });
  EXPECT_EQ(where, std::this_thread::get_id());
}

}  // namespace
}  // namespace swell::controller
