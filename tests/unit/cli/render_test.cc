#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "cli/render_fleet.h"
#include "cli/render_rollout.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/cli/rollout_fixtures.h"

namespace swell::cli {
namespace {

using ::testing::HasSubstr;
using testing::kNowUnixMs;
using ::testing::Not;

const absl::Time kNow = absl::FromUnixMillis(kNowUnixMs);

TEST(WaveCellTest, ShowsTheCurrentWaveOneBasedWithItsPhaseWhileRunning) {
  v1::RolloutSummary s = testing::RunningRollout().summary();
  EXPECT_EQ(WaveCell(s), "2/4 baking");
  s.set_state("halted");
  EXPECT_EQ(WaveCell(s), "2/4");
  s.set_wave_count(0);
  EXPECT_EQ(WaveCell(s), "-");
}

TEST(HostsCellTest, CountsConvergedAdmittedTotalAndFailed) {
  v1::RolloutSummary s = testing::RunningRollout().summary();
  EXPECT_EQ(HostsCell(s), "5/6/20, 1 failed");
  s.set_hosts_failed(0);
  EXPECT_EQ(HostsCell(s), "5/6/20");
}

TEST(NormalizedStateTest, AcceptsOtherSpellingsOfAState) {
  EXPECT_EQ(NormalizedState("Rolled-Back"), "rolled_back");
  EXPECT_EQ(NormalizedState(" rolled back "), "rolled_back");
}

TEST(RenderRolloutTableTest, HasOneAlignedRowPerRollout) {
  v1::ListRolloutsResponse list;
  *list.add_rollouts() = testing::RunningRollout().summary();
  v1::RolloutSummary* done = list.add_rollouts();
  done->set_id("r-00000029");
  done->set_name("ntp");
  done->set_variable("chrony-conf");
  done->set_state("succeeded");
  done->set_current_wave(2);
  done->set_wave_count(3);
  done->set_hosts_total(3);
  done->set_hosts_admitted(3);
  done->set_hosts_converged(3);
  done->set_created_unix_ms(kNowUnixMs - 2 * 86400 * 1000);
  EXPECT_EQ(RenderRolloutTable(list, kNow),
            "ID          NAME           VARIABLE     STATE      WAVE        "
            "HOSTS             AGE\n"
            "r-0000002a  app-workers-8  app-config   running    2/4 baking  "
            "5/6/20, 1 failed  3m12s\n"
            "r-00000029  ntp            chrony-conf  succeeded  3/3         "
            "3/3/3             2d\n");
}

TEST(RenderRolloutStatusTest, ShowsWavesVerdictsFailedHostsAndEvents) {
  const std::string text = RenderRolloutStatus(testing::RunningRollout(), kNow);
  EXPECT_THAT(text, HasSubstr("rollout r-0000002a  app-workers-8\n"));
  EXPECT_THAT(text, HasSubstr("state     running, wave 2/4 baking\n"));
  EXPECT_THAT(text, HasSubstr("5 converged, 6 admitted, 1 failed, of 20"));
  // Waves are shown 1-based with their phase; a baking one says when the
  // bake ends.
  EXPECT_THAT(text, HasSubstr("baking, bake ends in 2m"));
  EXPECT_THAT(text, HasSubstr("gate verdicts (latest 2 of 2):"));
  EXPECT_THAT(text, HasSubstr("  12s ago    wave 2  app-healthy  "
                              "INCONCLUSIVE  2 of 5 hosts have no "
                              "app_healthy sample yet\n"));
  EXPECT_THAT(text, HasSubstr("failed hosts (1):\n  web-ams1-03  wave 2  "
                              "failed  validate exited 1\n"));
  // A converged host is not listed among the failed ones.
  EXPECT_THAT(text, Not(HasSubstr("web-ams1-01")));
  EXPECT_THAT(text, HasSubstr("3m12s ago  alice  submit  CHG-1234 more "
                              "workers"));
}

TEST(RenderRolloutStatusTest, ShowsTheOrderSeedOnlyWhenOneWasKept) {
  v1::RolloutStatus status = testing::RunningRollout();
  EXPECT_THAT(RenderRolloutStatus(status, kNow), Not(HasSubstr("seed")));
  status.mutable_summary()->set_seed(7);
  EXPECT_THAT(RenderRolloutStatus(status, kNow),
              HasSubstr("seed      7 (preview --seed 7 redraws these waves "
                        "from the same fleet)\n"));
}

TEST(RenderRolloutStatusTest, ListsVerdictsOldestFirstEndingWithTheLatest) {
  const std::string text = RenderRolloutStatus(testing::RunningRollout(), kNow);
  EXPECT_LT(text.find("1m40s ago"), text.find("  12s ago"));
}

TEST(RenderRolloutHostTest, ShowsStateMessageAndOutputTail) {
  const std::string text =
      RenderRolloutHost(testing::RunningRollout(), "web-ams1-03");
  EXPECT_THAT(text, HasSubstr("host web-ams1-03 in rollout r-0000002a"));
  EXPECT_THAT(text, HasSubstr("state     failed\n"));
  EXPECT_THAT(text, HasSubstr("message   validate exited 1\n"));
  EXPECT_THAT(text, HasSubstr("output (last 2 lines):\n"
                              "  | checking /etc/app/app.conf\n"
                              "  | line 2: workers: bad value\n"));
}

TEST(RenderRolloutHostTest, IsEmptyForAHostOutsideTheRollout) {
  EXPECT_EQ(RenderRolloutHost(testing::RunningRollout(), "nope"), "");
}

TEST(RenderPreviewTest, ShowsEachWaveWithCountsHostsAndBake) {
  const std::string text = RenderPreview(testing::ThreeWavePreview(), 60);
  EXPECT_THAT(text, HasSubstr("3 waves, 74 hosts\nearliest finish: 12m"));
  EXPECT_THAT(text, HasSubstr("wave 1  1 host, bake 4m\n"
                              "  sites  ams1=1\n"
                              "  roles  web=1\n"
                              "  hosts  web-ams1-01\n"));
  // Counts are in key order whatever the map's order.
  EXPECT_THAT(text, HasSubstr("wave 2  3 hosts, bake 4m\n"
                              "  sites  ams1=1, fra1=2\n"
                              "  roles  db=1, web=2\n"));
  EXPECT_THAT(text, HasSubstr("- app-healthy: min(app_healthy) >= 1\n"));
}

TEST(RenderPreviewTest, SaysWhichSubmitTakesTheseWaves) {
  v1::PreviewResponse preview = testing::ThreeWavePreview();
  EXPECT_THAT(RenderPreview(preview, 60),
              HasSubstr("seed: 2891336453 (this plan's default: submit, or "
                        "submit --seed 2891336453, takes these waves while "
                        "the fleet is unchanged)\n"));
  preview.set_seed(7);
  preview.set_seed_is_default(false);
  EXPECT_THAT(RenderPreview(preview, 60),
              HasSubstr("seed: 7 (submit --seed 7 takes these waves while "
                        "the fleet is unchanged)\n"));
}

TEST(RenderPreviewTest, WrapsHostsToTheWidthAndCapsTheirNumber) {
  const std::string text = RenderPreview(testing::ThreeWavePreview(), 60);
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (absl::StrContains(line, "web-")) {
      EXPECT_LE(line.size(), 60u) << line;
    }
  }
  EXPECT_THAT(text, HasSubstr("web-x-59,"));
  EXPECT_THAT(text, HasSubstr("... and 10 more\n"));
  EXPECT_THAT(text, Not(HasSubstr("web-x-60")));
}

TEST(RenderHostsTableTest, SplitsSiteAndRoleFromOtherLabels) {
  EXPECT_EQ(RenderHostsTable(testing::TwoHosts(), kNow),
            "HOST         SITE  ROLE  LABELS                STATE         "
            "LAST SEEN  GENERATION  VIA\n"
            "web-ams1-01  ams1  web   canary=true,rack=r12  connected     "
            "3s ago     7           agent\n"
            "db-fra1-01   fra1  db    -                     disconnected  "
            "3h1m ago   2           pull API\n");
}

TEST(RenderHostsTableTest, ShowsStaleAndRetiredHostsAndWhatThatMeans) {
  v1::ListHostsResponse hosts = testing::TwoHosts();
  hosts.set_stale_after_ms(7 * 24 * 3600 * 1000LL);
  hosts.mutable_hosts(1)->set_state("stale");
  v1::HostStatus* gone = hosts.add_hosts();
  gone->set_host_id("web-typo-1");
  gone->set_state("retired");
  gone->set_last_seen_unix_ms(testing::kNowUnixMs - 7'200'000);
  gone->set_retired_unix_ms(testing::kNowUnixMs - 3'600'000);
  gone->set_retire_reason("a typo in its config");
  const std::string text = RenderHostsTable(hosts, kNow);
  EXPECT_THAT(text, HasSubstr("db-fra1-01   fra1  db    -                     "
                              "stale      "));
  EXPECT_THAT(text, HasSubstr("web-typo-1   -     -     -                     "
                              "retired    "));
  EXPECT_THAT(text,
              HasSubstr("\nnew rollouts do not target stale, retired or "
                        "revoked hosts:\n"
                        "  web-typo-1 retired 1h ago: a typo in its config "
                        "(back when its agent connects again)\n"
                        "  stale: not connected for more than 7d; back when "
                        "its agent connects again\n"));
}

TEST(RenderHostsTableTest, ShowsARevokedHostAndHowToLetItBack) {
  v1::ListHostsResponse hosts = testing::TwoHosts();
  hosts.mutable_hosts(1)->set_state("revoked");
  hosts.mutable_hosts(1)->set_revoked_unix_ms(testing::kNowUnixMs - 1'800'000);
  hosts.mutable_hosts(1)->set_revoke_reason("key leaked\nSEC-12");
  const std::string text = RenderHostsTable(hosts, kNow);
  EXPECT_THAT(text, HasSubstr("db-fra1-01   fra1  db    -                     "
                              "revoked    "));
  EXPECT_THAT(text, HasSubstr("\n  db-fra1-01 revoked 30m ago: key leaked; "
                              "SEC-12 (its agent is refused until 'swellctl "
                              "hosts unrevoke db-fra1-01')\n"));
}

TEST(RenderHostsTableTest, SaysNothingMoreWhenEveryHostIsTargetable) {
  EXPECT_THAT(RenderHostsTable(testing::TwoHosts(), kNow),
              Not(HasSubstr("do not target")));
}

TEST(RenderPreviewTest, ListsTheHostsTheSelectorMatchesThatNoWaveTakes) {
  v1::PreviewResponse preview = testing::ThreeWavePreview();
  EXPECT_THAT(RenderPreview(preview, 60), Not(HasSubstr("not targeted")));
  v1::ExcludedHost* e = preview.add_excluded();
  e->set_host_id("web-typo-1");
  e->set_state("retired");
  e->set_reason("retired 2023-11-14 21:13 UTC: a typo");
  e = preview.add_excluded();
  e->set_host_id("web-old-9");
  e->set_state("stale");
  e->set_reason("not seen since 2023-11-01 10:00 UTC (stale after 7d)");
  EXPECT_THAT(RenderPreview(preview, 60),
              HasSubstr("\nnot targeted: 2 hosts the selector matches\n"
                        "  web-typo-1  retired: retired 2023-11-14 21:13 "
                        "UTC: a typo\n"
                        "  web-old-9  stale: not seen since 2023-11-01 10:00 "
                        "UTC (stale after 7d)\n"));
}

TEST(HostsCellTest, CountsFailedHostsAlsoOnceRolledBack) {
  v1::RolloutSummary s;
  s.set_hosts_admitted(6);
  s.set_hosts_total(6);
  s.set_hosts_failed(1);
  s.set_hosts_rolled_back(6);
  EXPECT_EQ(HostsCell(s), "0/6/6, 1 failed, 6 rolled back");
}

// The bad-config case of issue 8: one of six hosts failed, the gate rolled
// every admitted host back. The counts must not say "0 failed".
v1::RolloutStatus FailedThenRolledBack() {
  v1::RolloutStatus status = testing::RunningRollout();
  v1::RolloutSummary* s = status.mutable_summary();
  s->set_state("rolled_back");
  s->set_reason(
      "gate no-failed-hosts failed: 1 of 6 admitted hosts failed "
      "(b-web-1)");
  s->set_hosts_total(6);
  s->set_hosts_admitted(6);
  s->set_hosts_converged(0);
  s->set_hosts_failed(1);
  s->set_hosts_rolled_back(6);
  status.clear_hosts();
  v1::RolloutHostStatus* h = status.add_hosts();
  h->set_host_id("b-web-1");
  h->set_wave(1);
  h->set_state("rolled_back");
  h->set_message("previous value restored after: validate exited 1");
  h->set_failure("validate exited 1");
  return status;
}

TEST(RenderRolloutStatusTest, CountsAHostThatFailedThenRolledBackAsFailed) {
  const std::string text = RenderRolloutStatus(FailedThenRolledBack(), kNow);
  EXPECT_THAT(text, HasSubstr("0 converged, 6 admitted, 1 failed, then all 6 "
                              "rolled back, of 6\n"));
  EXPECT_THAT(text, HasSubstr("failed hosts (1):\n  b-web-1  wave 2  "
                              "rolled_back  validate exited 1\n"));
}

TEST(RenderRolloutStatusTest, AFailedRollbackIsShownAfterTheFirstFailure) {
  v1::RolloutStatus status = FailedThenRolledBack();
  status.mutable_summary()->set_hosts_rolled_back(5);
  status.mutable_hosts(0)->set_state("failed");
  status.mutable_hosts(0)->set_message("rollback failed: disk full");
  const std::string text = RenderRolloutStatus(status, kNow);
  EXPECT_THAT(text, HasSubstr("1 failed, 5 rolled back, of 6\n"));
  EXPECT_THAT(text, HasSubstr("b-web-1  wave 2  failed  validate exited 1; "
                              "then: rollback failed: disk full\n"));
}

TEST(RenderFreezeTest, SaysWhoFrozeTheFleetWhyAndWhatItHalted) {
  v1::FreezeStatus freeze;
  freeze.set_frozen(true);
  freeze.set_actor("bob");
  freeze.set_reason("INC-77 containers restarting");
  freeze.set_since_unix_ms(kNowUnixMs - 60'000);
  freeze.set_expires_unix_ms(kNowUnixMs + 3'600'000);
  freeze.add_halted_rollouts("r-0000002a");
  freeze.add_halted_rollouts("r-0000002b");
  EXPECT_EQ(RenderFreeze(freeze, kNow),
            "fleet FROZEN since 1m ago by bob: INC-77 containers restarting\n"
            "  expires in 1h\n"
            "halted 2 rollouts: r-0000002a, r-0000002b\n");
}

TEST(RenderFreezeTest, SaysWhenTheFleetIsNotFrozen) {
  EXPECT_THAT(RenderFreeze(v1::FreezeStatus(), kNow), HasSubstr("not frozen"));
}

}  // namespace
}  // namespace swell::cli
