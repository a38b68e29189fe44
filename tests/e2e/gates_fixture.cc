#include "tests/e2e/gates_fixture.h"

#include <fstream>

#include "absl/strings/str_cat.h"

namespace swell::e2e {

std::string GatedPlan(const std::string& name, const std::string& waves,
                      const std::string& bake, const std::string& gates,
                      const std::string& tail) {
  return absl::StrCat("name: ", name,
                      "\n"
                      "change:\n"
                      "  variable: app-config\n"
                      "  kind: file\n"
                      "  path: /etc/app/app.conf\n"
                      "  content: |\n"
                      "    # managed by swell\n"
                      "    workers = 8\n"
                      "strategy:\n"
                      "  waves: ",
                      waves, "\n  bake: ", bake,
                      "\n"
                      "  progress_deadline: 60s\n"
                      "gates:\n",
                      gates, tail);
}

std::vector<swell::v1::GateVerdictRecord> VerdictsOf(
    const swell::v1::RolloutStatus& status, const std::string& gate) {
  std::vector<swell::v1::GateVerdictRecord> out;
  for (const auto& v : status.verdicts()) {
    if (v.gate() == gate) out.push_back(v);
  }
  return out;
}

bool HasVerdict(const swell::v1::RolloutStatus& status,
                const std::string& gate, const std::string& verdict) {
  for (const auto& v : VerdictsOf(status, gate)) {
    if (v.verdict() == verdict) return true;
  }
  return false;
}

std::string DescribeVerdicts(const swell::v1::RolloutStatus& status) {
  std::string out = absl::StrCat("reason: ", status.summary().reason(), "\n");
  for (const auto& v : status.verdicts()) {
    absl::StrAppend(&out, "  wave ", v.wave() + 1, " ", v.gate(), " ",
                    v.verdict(), ": ", v.summary(), "\n");
  }
  return out;
}

std::string GatesE2eTest::Script(const std::string& name,
                                 const std::string& body) {
  std::string path = absl::StrCat(dir_, "/", name, ".sh");
  std::ofstream(path) << body;
  return absl::StrCat("sh ", path);
}

std::string GatesE2eTest::AwaitSettled(const std::string& id) {
  std::string state;
  WaitFor(
      [&] {
        state = cluster_->State(id);
        return state == "succeeded" || state == "rolled_back" ||
               state == "paused" || state == "halted";
      },
      absl::Seconds(50));
  return state;
}

void GatesE2eTest::StartFleetWithChecks(
    int n, const std::vector<std::string>& checks,
    const std::function<std::vector<std::string>(int)>& extra_args) {
  for (int i = 0; i < n; ++i) {
    AgentOptions options;
    options.labels = {{"site", i % 2 ? "b" : "a"}, {"role", "web"}};
    for (const auto& c : checks) {
      options.extra_args.push_back("--check");
      options.extra_args.push_back(c);
    }
    if (extra_args) {
      for (std::string& a : extra_args(i)) {
        options.extra_args.push_back(std::move(a));
      }
    }
    auto s = cluster_->StartAgentWith(absl::StrCat("h", i), options);
    ASSERT_TRUE(s.ok()) << s;
  }
  ASSERT_TRUE(cluster_->AwaitConnected(n)) << "agents did not connect";
}

}  // namespace swell::e2e
