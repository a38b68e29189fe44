#include "tests/e2e/standin_hosts.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace swell::e2e {

std::string StandinHosts::StateDir(const std::string& id) const {
  return cluster_->Root(id) + "/var/lib/standin";
}

std::map<std::string, std::string> StandinHosts::Env(
    const std::string& id) const {
  const char* path = std::getenv("PATH");
  return {{"PATH", absl::StrCat(cluster_->source_dir(), "/tests/standins:",
                                path != nullptr ? path : "/usr/bin:/bin")},
          {"SWELL_STANDIN_STATE", StateDir(id)},
          {"SWELL_ROOT", cluster_->Root(id)}};
}

absl::Status StandinHosts::Start(
    const std::string& id, const std::map<std::string, std::string>& labels,
    const std::string& state_json) {
  std::filesystem::create_directories(StateDir(id));
  std::ofstream(StateDir(id) + "/host.json") << state_json;
  return Restart(id, labels);
}

absl::Status StandinHosts::Restart(
    const std::string& id, const std::map<std::string, std::string>& labels) {
  AgentOptions options;
  options.labels = labels;
  options.env = Env(id);
  options.guardrails = guardrails_;
  return cluster_->StartAgentWith(id, options);
}

std::vector<std::string> StandinHosts::Calls(const std::string& id) const {
  std::ifstream in(StateDir(id) + "/calls.log");
  std::stringstream text;
  text << in.rdbuf();
  return absl::StrSplit(text.str(), '\n', absl::SkipEmpty());
}

std::vector<std::string> StandinHosts::Changes(const std::string& id) const {
  std::vector<std::string> out;
  for (std::string& call : Calls(id)) {
    if (absl::StartsWith(call, "dpkg-query ") ||
        absl::StartsWith(call, "docker ps ") ||
        absl::StartsWith(call, "docker info ")) {
      continue;
    }
    out.push_back(std::move(call));
  }
  return out;
}

int StandinHosts::Count(const std::string& id,
                        const std::string& prefix) const {
  int n = 0;
  for (const std::string& call : Calls(id)) {
    n += absl::StartsWith(call, prefix) ? 1 : 0;
  }
  return n;
}

std::string StandinHosts::RunTool(const std::string& id,
                                  std::vector<std::string> argv) const {
  argv[0] = absl::StrCat(cluster_->source_dir(), "/tests/standins/", argv[0]);
  // The test's own looks are not the agent's calls: keep them out of the log.
  std::map<std::string, std::string> env = Env(id);
  env["SWELL_STANDIN_QUIET"] = "1";
  CommandOutput out = RunCommand(argv, env);
  if (out.exit_code != 0) return "";
  return std::string(absl::StripAsciiWhitespace(out.out));
}

std::string StandinHosts::InstalledVersion(const std::string& id,
                                           const std::string& package) const {
  return RunTool(id,
                 {"dpkg-query", "--show", "--showformat=${Version}", package});
}

std::string StandinHosts::DaemonVersion(const std::string& id) const {
  return RunTool(id, {"docker", "version", "--format", "{{.Server.Version}}"});
}

}  // namespace swell::e2e
