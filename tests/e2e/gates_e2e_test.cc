// Health gates end to end: real agents run check commands whose numbers
// depend on the host's config file, the real controller gates the waves on
// them, and swellctl reads back the verdicts.

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "tests/e2e/gates_fixture.h"

namespace swell::e2e {
namespace {

constexpr char kConf[] = "/etc/app/app.conf";
constexpr char kNew[] = "# managed by swell\nworkers = 8\n";

// Latency that only the new config makes worse, and never near an absolute
// limit: ~100 ms before, ~150 ms after, with per-sample jitter so that a
// rank test sees spread.
constexpr char kLatencyScript[] = R"(conf="$SWELL_ROOT/etc/app/app.conf"
if grep -q '^workers = 8' "$conf"; then base=150; else base=100; fi
echo $((base + $$ % 10))
)";

// Healthy (1), except for exactly one sample after the new config arrives:
// the second run that sees it prints 0. The second, not the first, so that
// the controller has already counted the host converged when it arrives.
constexpr char kBlipScript[] = R"(conf="$SWELL_ROOT/etc/app/app.conf"
count="$SWELL_ROOT/blip.count"
if grep -q '^workers = 8' "$conf"; then
  n=$(cat "$count" 2>/dev/null || echo 0)
  n=$((n + 1))
  echo "$n" > "$count"
  if [ "$n" -eq 2 ]; then echo 0; exit 0; fi
fi
echo 1
)";

TEST_F(GatesE2eTest, RegressionOnlyTheBaselineSeesIsRolledBack) {
  constexpr int kHosts = 6;
  StartFleetWithChecks(kHosts,
                       {"latency_ms=" + Script("latency", kLatencyScript)});
  std::map<std::string, std::string> before;
  for (int i = 0; i < kHosts; ++i) {
    std::string h = absl::StrCat("h", i);
    before[h] = cluster_->ReadHostFile(h, kConf);
  }
  // Two hosts change first; four of the same role stay as the baseline. The
  // bake is far longer than collecting 8 samples a side takes, so the wave
  // is still baking (the baseline still there) when the gate decides.
  std::string id = cluster_->Submit(cluster_->WritePlan(
      "slower",
      GatedPlan("slower", "[2, 100%]", "30s",
                "  - name: latency-ceiling\n"
                "    check: \"max(latency_ms) < 1000\"\n"
                "  - name: latency-vs-baseline\n"
                "    kind: baseline\n"
                "    metric: latency_ms\n"
                "    max_ratio: 1.2\n"
                "    mann_whitney: {alpha: 0.01, direction: increase}\n"
                "    min_samples: 8\n")));
  ASSERT_FALSE(id.empty());
  ASSERT_EQ(AwaitSettled(id), "rolled_back")
      << DescribeVerdicts(cluster_->Status(id));

  auto status = cluster_->Status(id);
  EXPECT_NE(status.summary().reason().find("latency-vs-baseline FAILED"),
            std::string::npos)
      << status.summary().reason();
  EXPECT_FALSE(HasVerdict(status, "latency-ceiling", "fail"))
      << DescribeVerdicts(status);

  auto fails = VerdictsOf(status, "latency-vs-baseline");
  ASSERT_EQ(fails.size(), 1u) << DescribeVerdicts(status);
  EXPECT_EQ(fails[0].verdict(), "fail");
  EXPECT_EQ(fails[0].wave(), 0);
  google::protobuf::Struct evidence;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                  fails[0].evidence_json(), &evidence)
                  .ok())
      << fails[0].evidence_json();
  const auto& roles = evidence.fields().at("roles").list_value();
  ASSERT_EQ(roles.values_size(), 1) << fails[0].evidence_json();
  const auto& web = roles.values(0).struct_value().fields();
  EXPECT_EQ(web.at("role").string_value(), "web");
  EXPECT_EQ(web.at("status").string_value(), "compared");
  EXPECT_TRUE(web.at("breached").bool_value());
  // ~150 against ~100: well above the allowed 1.2.
  EXPECT_GT(web.at("ratio").number_value(), 1.2);
  EXPECT_LT(web.at("ratio").number_value(), 1.8);
  EXPECT_GT(web.at("u").number_value(), 0);
  EXPECT_GT(web.at("z").number_value(), 0);
  EXPECT_LT(web.at("p").number_value(), 0.01);
  const auto& changed = web.at("changed").struct_value().fields();
  const auto& control = web.at("control").struct_value().fields();
  EXPECT_EQ(changed.at("hosts").list_value().values_size(), 2);
  EXPECT_EQ(control.at("hosts").list_value().values_size(), kHosts - 2);
  EXPECT_GE(changed.at("samples").number_value(), 8);
  EXPECT_GE(control.at("samples").number_value(), 8);

  int skipped = 0;
  for (const auto& [h, content] : before) {
    EXPECT_EQ(cluster_->ReadHostFile(h, kConf), content) << h;
    skipped += cluster_->HostStatus(id, h).state() == "skipped";
  }
  EXPECT_EQ(skipped, kHosts - 2) << "only the first wave should be reached";
}

TEST_F(GatesE2eTest, OneBreachThatRecoversDoesNotFailAGateNeedingThree) {
  constexpr int kHosts = 3;
  StartFleetWithChecks(kHosts, {"blip=" + Script("blip", kBlipScript)});
  // One host a wave, so each blip stands alone. `blip-seen` fails on the
  // first breach but only records it: it proves the controller saw the 0.
  std::string id = cluster_->Submit(cluster_->WritePlan(
      "blip", GatedPlan("blip", "[1, 2, 100%]", "4s",
                        "  - name: blip-tolerant\n"
                        "    check: \"min(blip) >= 1\"\n"
                        "    consecutive_breaches: 3\n"
                        "  - name: blip-seen\n"
                        "    check: \"min(blip) >= 1\"\n"
                        "    dry_run: true\n")));
  ASSERT_FALSE(id.empty());
  ASSERT_EQ(AwaitSettled(id), "succeeded")
      << DescribeVerdicts(cluster_->Status(id));

  auto status = cluster_->Status(id);
  EXPECT_TRUE(HasVerdict(status, "blip-seen", "fail (dry run)"))
      << "the controller never saw a breach\n"
      << DescribeVerdicts(status);
  EXPECT_FALSE(HasVerdict(status, "blip-tolerant", "fail"))
      << DescribeVerdicts(status);
  EXPECT_TRUE(HasVerdict(status, "blip-tolerant", "pass"))
      << DescribeVerdicts(status);
  for (int i = 0; i < kHosts; ++i) {
    std::string h = absl::StrCat("h", i);
    EXPECT_EQ(cluster_->ReadHostFile(h, kConf), kNew) << h;
    EXPECT_NE(cluster_->ReadHostFile(h, "/blip.count"), "<absent>")
        << h << " never ran its check on the new config";
  }
}

TEST_F(GatesE2eTest, MissingDataUnderHoldPausesInsteadOfFailing) {
  StartFleetWithChecks(2, {});
  std::string id = cluster_->Submit(cluster_->WritePlan(
      "nodata", GatedPlan("nodata", "[1, 100%]", "2s",
                          "  - name: queue-drained\n"
                          "    check: \"max(queue_depth) <= 10\"\n"
                          "    missing_data: hold\n",
                          "on_failure: rollback\non_inconclusive: pause\n")));
  ASSERT_FALSE(id.empty());
  ASSERT_EQ(AwaitSettled(id), "paused")
      << DescribeVerdicts(cluster_->Status(id));

  auto status = cluster_->Status(id);
  EXPECT_NE(status.summary().reason().find("inconclusive"), std::string::npos)
      << status.summary().reason();
  auto verdicts = VerdictsOf(status, "queue-drained");
  ASSERT_FALSE(verdicts.empty()) << DescribeVerdicts(status);
  for (const auto& v : verdicts) {
    EXPECT_EQ(v.verdict(), "inconclusive") << v.summary();
    EXPECT_NE(v.summary().find("no data"), std::string::npos) << v.summary();
  }
  auto shown = cluster_->Ctl({"status", id});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find("INCONCLUSIVE"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("no data"), std::string::npos) << shown.out;

  // Paused, not rolled back: the first wave's host keeps the new value and
  // the other one was never touched.
  int changed = 0;
  for (const std::string h : {"h0", "h1"}) {
    auto host = cluster_->HostStatus(id, h);
    if (host.wave() == 0) {
      ++changed;
      EXPECT_EQ(host.state(), "converged") << h;
      EXPECT_EQ(cluster_->ReadHostFile(h, kConf), kNew) << h;
    } else {
      EXPECT_EQ(host.state(), "waiting") << h;
      EXPECT_NE(cluster_->ReadHostFile(h, kConf), kNew) << h;
    }
  }
  EXPECT_EQ(changed, 1);
  for (const auto& e : status.events()) {
    EXPECT_NE(e.action(), "rolled_back") << e.reason();
  }
  EXPECT_EQ(cluster_->State(id), "paused");
}

TEST_F(GatesE2eTest, FailingDryRunGateIsRecordedAndTheRolloutSucceeds) {
  StartFleetWithChecks(2, {});
  // Every host reports app_healthy 1, so this gate fails on every host.
  std::string id = cluster_->Submit(cluster_->WritePlan(
      "dry", GatedPlan("dry", "[1, 100%]", "2s",
                       "  - name: app-healthy\n"
                       "    check: \"min(app_healthy) >= 1\"\n"
                       "  - name: stricter-health\n"
                       "    check: \"min(app_healthy) >= 2\"\n"
                       "    dry_run: true\n")));
  ASSERT_FALSE(id.empty());
  ASSERT_EQ(AwaitSettled(id), "succeeded")
      << DescribeVerdicts(cluster_->Status(id));

  auto status = cluster_->Status(id);
  auto dry = VerdictsOf(status, "stricter-health");
  ASSERT_FALSE(dry.empty()) << DescribeVerdicts(status);
  for (const auto& v : dry) {
    EXPECT_EQ(v.verdict(), "fail (dry run)") << v.summary();
    EXPECT_NE(v.summary().find("stricter-health FAILED"), std::string::npos)
        << v.summary();
  }
  EXPECT_TRUE(HasVerdict(status, "app-healthy", "pass"))
      << DescribeVerdicts(status);
  auto shown = cluster_->Ctl({"status", id});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find("FAIL (DRY RUN)"), std::string::npos) << shown.out;
  for (const std::string h : {"h0", "h1"}) {
    EXPECT_EQ(cluster_->ReadHostFile(h, kConf), kNew) << h;
  }
}

}  // namespace
}  // namespace swell::e2e
