// What `hosts revoke` and `hosts unrevoke` change in the host records
// (host_revocation.h), and that a revoked host is never targeted
// (host_presence.h).

#include "controller/rollout/host_revocation.h"

#include <string>

#include "controller/plan/plan.h"
#include "controller/rollout/host_presence.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/core/core_test_util.h"

namespace swell::controller {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const absl::Time kNow = absl::FromUnixSeconds(1'700'000'000);

class HostRevocationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Host h = fixtures::MakeHost("web-1", {{"site", "a"}});
    h.first_seen = kNow - absl::Hours(2);
    h.last_seen = kNow - absl::Hours(1);
    fleet_.hosts["web-1"] = h;
  }
  static Request Req(std::string reason = "key leaked") {
    return Request{"alice", std::move(reason), kNow};
  }
  Fleet fleet_;
};

TEST_F(HostRevocationTest, RevokesAndAuditsInOneMutation) {
  absl::StatusOr<Mutation> m = RevokeHost(fleet_, "web-1", Req());
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->hosts.size(), 1u);
  EXPECT_EQ(m->hosts[0].revoked_at, kNow);
  EXPECT_EQ(m->hosts[0].revoke_reason, "key leaked");
  // Nothing else of the record changes.
  EXPECT_EQ(m->hosts[0].last_seen, fleet_.hosts["web-1"].last_seen);
  EXPECT_EQ(m->hosts[0].labels, fleet_.hosts["web-1"].labels);
  ASSERT_EQ(m->audit.size(), 1u);
  EXPECT_EQ(m->audit[0].actor, "alice");
  EXPECT_EQ(m->audit[0].action, "revoke_host");
  EXPECT_EQ(m->audit[0].reason, "host web-1: key leaked");
}

TEST_F(HostRevocationTest, AReasonIsRequiredAndAnUnknownHostIsNotFound) {
  EXPECT_EQ(RevokeHost(fleet_, "web-1", Req("")).status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<Mutation> m = RevokeHost(fleet_, "web-9", Req());
  EXPECT_EQ(m.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(m.status().message(), HasSubstr("no host web-9"));
  EXPECT_EQ(UnrevokeHost(fleet_, "web-9", Req()).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(HostRevocationTest, RevokingTwiceOrUnrevokingAHostNotRevokedIsEmpty) {
  absl::StatusOr<Mutation> m = UnrevokeHost(fleet_, "web-1", Req(""));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_TRUE(m->empty());
  fleet_.hosts["web-1"].revoked_at = kNow - absl::Hours(1);
  fleet_.hosts["web-1"].revoke_reason = "first";
  m = RevokeHost(fleet_, "web-1", Req("again"));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_TRUE(m->empty());
}

TEST_F(HostRevocationTest, UnrevokeClearsTheRevocationAndAuditsWhatItWas) {
  fleet_.hosts["web-1"].revoked_at = kNow - absl::Hours(1);
  fleet_.hosts["web-1"].revoke_reason = "key leaked";
  absl::StatusOr<Mutation> m = UnrevokeHost(fleet_, "web-1", Req("rekeyed"));
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->hosts.size(), 1u);
  EXPECT_EQ(m->hosts[0].revoked_at, absl::InfinitePast());
  EXPECT_EQ(m->hosts[0].revoke_reason, "");
  ASSERT_EQ(m->audit.size(), 1u);
  EXPECT_EQ(m->audit[0].action, "unrevoke_host");
  EXPECT_EQ(m->audit[0].reason, "host web-1 (revoked: key leaked): rekeyed");
}

TEST_F(HostRevocationTest, RevokedHostsListsOnlyTheRevoked) {
  fleet_.hosts["web-2"] = fixtures::MakeHost("web-2", {});
  fleet_.hosts["web-2"].revoked_at = kNow;
  fleet_.hosts["web-2"].revoke_reason = "stolen";
  EXPECT_THAT(RevokedHosts(fleet_.hosts),
              ElementsAre(std::pair<const std::string, std::string>("web-2",
                                                                    "stolen")));
}

TEST_F(HostRevocationTest, ARevokedHostIsNeverTargetedEvenWhenRetiredToo) {
  Host h = fleet_.hosts["web-1"];
  h.revoked_at = kNow;
  h.revoke_reason = "stolen";
  EXPECT_EQ(PresenceOf(h, /*connected=*/true, kNow, absl::Hours(1)),
            HostPresence::kRevoked);
  h.retired_at = kNow;
  EXPECT_EQ(PresenceOf(h, false, kNow, absl::Hours(1)), HostPresence::kRevoked);
  EXPECT_FALSE(IsTargetable(HostPresence::kRevoked));
  EXPECT_EQ(HostPresenceName(HostPresence::kRevoked), "revoked");
}

}  // namespace
}  // namespace swell::controller
