// PromQL gates end to end: real agents serve their health samples on
// /metrics, a real Prometheus (Debian's) scrapes them every second, and the
// real controller asks it the gate's query for the hosts of each wave.

#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "tests/e2e/gates_fixture.h"
#include "tests/support/fixture_util.h"
#include "tests/support/throwaway_prometheus.h"

namespace swell::e2e {
namespace {

using ::testing::HasSubstr;

constexpr char kConf[] = "/etc/app/app.conf";
constexpr char kNew[] = "# managed by swell\nworkers = 8\n";

// An error ratio that the new config raises from 0 to 0.5. No threshold
// gate reads it: only the PromQL gate can see it.
constexpr char kErrorRateScript[] = R"(conf="$SWELL_ROOT/etc/app/app.conf"
if grep -q '^workers = 8' "$conf"; then echo 0.5; else echo 0; fi
)";

class PromqlE2eTest : public GatesE2eTest {
 protected:
  // Starts n agents, each running `error_rate` every second and serving
  // /metrics on a port of its own, then a Prometheus scraping them all.
  void StartScrapedFleet(int n, const std::string& error_rate_script) {
    std::vector<test_support::PrometheusTarget> targets;
    std::vector<int> ports;
    for (int i = 0; i < n; ++i) {
      absl::StatusOr<int> port = test_support::FreeLoopbackPort();
      ASSERT_TRUE(port.ok()) << port.status();
      ports.push_back(*port);
      targets.push_back({absl::StrCat("127.0.0.1:", *port), {}});
    }
    StartFleetWithChecks(
        n, {"error_rate=" + Script("error_rate", error_rate_script)},
        [&](int i) {
          return std::vector<std::string>{
              "--check-interval=1s",
              absl::StrCat("--metrics-listen=127.0.0.1:", ports[i])};
        });
    absl::Status started = prometheus_.Start(targets);
    ASSERT_TRUE(started.ok()) << started;
    // Prometheus hands new targets to its scrapers only every 5 s: wait
    // until every agent has been scraped once, so that the first wave's
    // bake is not spent waiting for it.
    const std::string all_up = absl::StrCat(",\"", n, "\"]");
    ASSERT_TRUE(WaitFor(
        [&] {
          absl::StatusOr<std::string> up =
              prometheus_.Query("count(up == 1)");
          return up.ok() && absl::StrContains(*up, all_up);
        },
        absl::Seconds(30)))
        << "Prometheus did not scrape every agent\n"
        << prometheus_.Log();
  }

  std::string ErrorRateGate() const {
    return absl::StrCat(
        "  - name: error-rate\n"
        "    kind: promql\n"
        "    prometheus: ",
        prometheus_.url(),
        "\n"
        "    query: 'max(swell_health_sample{sample=\"error_rate\","
        "host=~\"{{hosts}}\"})'\n"
        "    op: \"<\"\n"
        "    threshold: 0.1\n"
        "    interval: 1s\n");
  }

  test_support::ThrowawayPrometheus prometheus_;
};

TEST_F(PromqlE2eTest, ARegressionOnlyPrometheusSeesIsRolledBack) {
  constexpr int kHosts = 4;
  StartScrapedFleet(kHosts, kErrorRateScript);
  std::map<std::string, std::string> before;
  for (int i = 0; i < kHosts; ++i) {
    std::string h = absl::StrCat("h", i);
    before[h] = cluster_->ReadHostFile(h, kConf);
  }
  std::string id = cluster_->Submit(cluster_->WritePlan(
      "errors.yaml",
      GatedPlan("errors", "[1, 50%, 100%]", "15s", ErrorRateGate())));
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(AwaitSettled(id), "rolled_back")
      << DescribeVerdicts(cluster_->Status(id)) << prometheus_.Log();

  auto status = cluster_->Status(id);
  EXPECT_THAT(status.summary().reason(),
              HasSubstr("error-rate FAILED: PromQL max(swell_health_sample"));
  EXPECT_THAT(status.summary().reason(), HasSubstr("is 0.5"));
  std::vector<swell::v1::GateVerdictRecord> verdicts =
      VerdictsOf(status, "error-rate");
  ASSERT_FALSE(verdicts.empty()) << DescribeVerdicts(status);
  const auto& failed = verdicts.back();
  EXPECT_EQ(failed.verdict(), "fail");
  EXPECT_EQ(failed.wave(), 0) << "the first wave's one host should catch it";
  // The evidence names the query as asked (the wave's one host) and the
  // series Prometheus answered with.
  std::string changed;
  for (int i = 0; i < kHosts; ++i) {
    std::string h = absl::StrCat("h", i);
    if (cluster_->HostStatus(id, h).state() == "rolled_back") changed = h;
  }
  ASSERT_FALSE(changed.empty());
  EXPECT_THAT(failed.evidence_json(),
              HasSubstr(absl::StrCat("host=~\\\"", changed, "\\\"")));
  EXPECT_THAT(failed.evidence_json(), HasSubstr("\"observed\": 0.5"));
  for (const auto& [h, content] : before) {
    EXPECT_EQ(cluster_->ReadHostFile(h, kConf), content) << h;
  }
}

TEST_F(PromqlE2eTest, AHealthyChangePassesThePromqlGateWaveByWave) {
  constexpr int kHosts = 4;
  StartScrapedFleet(kHosts, "echo 0\n");
  std::string id = cluster_->Submit(cluster_->WritePlan(
      "fine.yaml", GatedPlan("fine", "[1, 100%]", "4s", ErrorRateGate())));
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(AwaitSettled(id), "succeeded")
      << DescribeVerdicts(cluster_->Status(id)) << prometheus_.Log();

  auto status = cluster_->Status(id);
  ASSERT_TRUE(HasVerdict(status, "error-rate", "pass"))
      << DescribeVerdicts(status);
  // The last wave's verdict rests on an answer about every host.
  const auto last = VerdictsOf(status, "error-rate").back();
  EXPECT_EQ(last.wave(), 1);
  EXPECT_THAT(last.summary(), HasSubstr("error-rate passed: PromQL"));
  EXPECT_THAT(last.evidence_json(), HasSubstr("h0|h1|h2|h3"));
  for (int i = 0; i < kHosts; ++i) {
    EXPECT_EQ(cluster_->ReadHostFile(absl::StrCat("h", i), kConf), kNew);
  }
}

}  // namespace
}  // namespace swell::e2e
