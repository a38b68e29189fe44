// The agent's link to the controller over real gRPC on 127.0.0.1.

#include "agent/controller_link.h"

#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/unit/agent/fake_controller.h"
#include "tests/unit/agent/test_util.h"

namespace swell::agent {
namespace {

using ::swell::agent::testing::FakeController;
using ::swell::agent::testing::WaitFor;

std::unique_ptr<ControllerLink> LinkFor(const std::string& host,
                                        const std::string& address) {
  ControllerLink::Options options;  // the defaults a real agent uses
  options.addresses = {address};
  options.credentials = grpc::InsecureChannelCredentials();
  return std::make_unique<ControllerLink>(
      options,
      [host] {
        swell::v1::Hello hello;
        hello.set_host_id(host);
        return hello;
      },
      [](const swell::v1::DesiredState&) {});
}

// A fleet (or a controller) starting at once: every handshake is answered
// late, but none may time out and send its agent into backoff. gRPC takes
// the channel's minimum reconnect backoff as its connect timeout too; at
// 200 ms, a third of such a fleet failed.
//
// gRPC 1.51 reads connect(2)'s errno after other calls that may overwrite
// it (fixed upstream in grpc/grpc#35064), so on a loaded machine a rare
// connection still in progress is reported failed ("connect: No such file
// or directory"). One such attempt in a hundred is that bug, not a
// timeout.
TEST(ControllerLinkTest, TwoHundredLinksStartedTogetherConnectAtOnce) {
  FakeController controller;
  ASSERT_TRUE(controller.ok());
  constexpr size_t kLinks = 200;
  std::vector<std::unique_ptr<ControllerLink>> links;
  for (size_t i = 0; i < kLinks; ++i) {
    links.push_back(LinkFor(absl::StrCat("h", i), controller.address()));
  }
  for (auto& link : links) link->Start();
  ASSERT_TRUE(WaitFor([&] { return controller.hellos().size() == kLinks; },
                      absl::Seconds(60)))
      << controller.hellos().size() << " of " << kLinks << " said hello";
  uint64_t failed = 0;
  for (const auto& link : links) failed += link->failed_attempts();
  EXPECT_LE(failed, kLinks / 100);
}

TEST(ControllerLinkTest, CountsAttemptsThatFindNoController) {
  FakeController controller;
  ASSERT_TRUE(controller.ok());
  const std::string address = controller.address();
  controller.Shutdown();
  auto link = LinkFor("h1", address);
  link->Start();
  EXPECT_TRUE(WaitFor([&] { return link->failed_attempts() >= 2; }));
  EXPECT_EQ(link->Connection(), 0u);
}

}  // namespace
}  // namespace swell::agent
