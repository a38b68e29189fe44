// `swellctl preview` names the hosts `swellctl submit` takes: with the same
// plan and fleet, each host is in the same wave in the preview and in the
// rollout, by default and with --seed (issue 8, defect 7).

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "tests/e2e/e2e_fixture.h"

namespace swell::e2e {
namespace {

constexpr int kHosts = 6;
constexpr char kGood[] = "# managed by swell\nworkers = 8\n";

class PreviewE2eTest : public E2eTest {
 protected:
  // One host a wave, so that the whole order shows; a long bake, so that
  // the rollout stays in its first wave while it is read.
  std::string OrderPlan() const {
    return cluster_->WritePlan(
        "order", ConfigPlan("order", kGood, "[1, 2, 3, 4, 5, 100%]", "60s"));
  }

  // `swellctl preview PLAN -o json` with `extra` arguments.
  v1::PreviewResponse Preview(const std::string& plan,
                              const std::vector<std::string>& extra) const {
    std::vector<std::string> args = {"preview", plan, "-o", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    CommandOutput out = cluster_->Ctl(args);
    v1::PreviewResponse preview;
    EXPECT_EQ(out.exit_code, 0) << out.err;
    EXPECT_TRUE(
        google::protobuf::util::JsonStringToMessage(out.out, &preview).ok())
        << out.out;
    return preview;
  }

  // Host id -> wave index, as the preview shows them.
  static std::map<std::string, int> WavesOf(const v1::PreviewResponse& p) {
    std::map<std::string, int> waves;
    for (const v1::PreviewWave& w : p.waves()) {
      for (const std::string& host : w.hosts()) waves[host] = w.index();
    }
    return waves;
  }

  // Host id -> wave index, as the rollout's status shows them.
  std::map<std::string, int> WavesOf(const std::string& id) const {
    std::map<std::string, int> waves;
    for (int i = 0; i < kHosts; ++i) {
      const std::string host = absl::StrCat("h", i);
      const v1::RolloutHostStatus h = cluster_->HostStatus(id, host);
      if (h.host_id() == host) waves[host] = h.wave();
    }
    return waves;
  }

  // Submits `plan` with `extra` arguments; the rollout id, or "".
  std::string Submit(const std::string& plan,
                     const std::vector<std::string>& extra) const {
    std::vector<std::string> args = {"submit", plan};
    args.insert(args.end(), extra.begin(), extra.end());
    CommandOutput out = cluster_->Ctl(args);
    EXPECT_EQ(out.exit_code, 0) << out.err;
    return out.exit_code == 0 ? out.out.substr(0, out.out.find('\n')) : "";
  }
};

TEST_F(PreviewE2eTest, PlainSubmitTakesTheHostsAPlainPreviewNamed) {
  StartFleet(kHosts);
  const std::string plan = OrderPlan();
  const v1::PreviewResponse preview = Preview(plan, {});
  ASSERT_EQ(preview.waves_size(), kHosts);
  ASSERT_NE(preview.seed(), 0u);
  EXPECT_TRUE(preview.seed_is_default());
  const std::map<std::string, int> previewed = WavesOf(preview);
  ASSERT_EQ(previewed.size(), static_cast<size_t>(kHosts));
  // A second preview, at another moment, draws the same order.
  EXPECT_EQ(WavesOf(Preview(plan, {})), previewed);

  const std::string id = Submit(plan, {});
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(WavesOf(id), previewed);
  EXPECT_EQ(cluster_->Status(id).summary().seed(), preview.seed());
}

TEST_F(PreviewE2eTest, SubmitWithASeedTakesTheHostsPreviewWithItNamed) {
  StartFleet(kHosts);
  const std::string plan = OrderPlan();
  const v1::PreviewResponse preview = Preview(plan, {"--seed", "7"});
  ASSERT_EQ(preview.waves_size(), kHosts);
  EXPECT_EQ(preview.seed(), 7u);
  const std::map<std::string, int> previewed = WavesOf(preview);
  ASSERT_EQ(previewed.size(), static_cast<size_t>(kHosts));

  const std::string id = Submit(plan, {"--seed", "7"});
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(WavesOf(id), previewed);
  CommandOutput status = cluster_->Ctl({"status", id});
  EXPECT_NE(status.out.find("preview --seed 7"), std::string::npos)
      << status.out;

  // The seed is stored with the rollout: a restarted controller still
  // reports it, and the waves it froze.
  cluster_->KillController();
  ASSERT_TRUE(cluster_->StartController().ok());
  EXPECT_EQ(cluster_->Status(id).summary().seed(), 7u);
  EXPECT_EQ(WavesOf(id), previewed);
}

}  // namespace
}  // namespace swell::e2e
