// Host-side guardrails with the real binaries: a controller that asks hosts
// for what their agents' configs do not allow gets a refusal from every host
// it reaches, the failed-hosts gate rolls the change back, and nothing is
// read or written outside what the hosts accept.

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "tests/e2e/e2e_fixture.h"

namespace swell::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kShadow[] = "root:$6$guardrails-secret$:19000:0:99999:7:::\n";

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Everything below a host's root but the agent's own state dir: each path
// relative to the root, with the file's content ("<dir>" for a directory).
std::map<std::string, std::string> HostTree(const std::string& root) {
  std::map<std::string, std::string> tree;
  namespace fs = std::filesystem;
  for (auto it = fs::recursive_directory_iterator(root);
       it != fs::recursive_directory_iterator(); ++it) {
    const std::string rel = fs::relative(it->path(), root).string();
    if (rel == "var/lib/swell-agent") {
      it.disable_recursion_pending();
      continue;
    }
    tree[rel] = it->is_directory() ? "<dir>" : ReadAll(it->path().string());
  }
  return tree;
}

// A command change whose every command appends the host's id to `marker`
// (and `apply` keeps the value in a file of `dir`): the marker shows which
// hosts ran any of its commands.
std::string CommandPlan(const std::string& name, const std::string& role,
                        const std::string& dir) {
  const std::string marker = dir + "/commands-ran";
  const std::string value = dir + "/somaxconn-$SWELL_HOST_ID";
  return absl::StrCat(R"(name: )", name, R"(
change:
  variable: somaxconn
  kind: command
  shell: true
  current: "echo $SWELL_HOST_ID >> )",
                      marker, "; cat ", value, R"( 2>/dev/null || echo 128"
  apply: "echo $SWELL_HOST_ID >> )",
                      marker, R"(; printf %s \"$SWELL_VALUE\" > )", value,
                      R"("
  value: "4096"
target:
  selector: {role: )",
                      role, R"(}
strategy:
  waves: [100%]
  bake: 1s
  progress_deadline: 4s
gates:
  - name: no-failed-hosts
    check: "failed_hosts <= 0"
)");
}

constexpr char kShadowPlan[] = R"(name: shadow
change:
  variable: shadow
  kind: file
  path: /etc/shadow
  content: |
    root::0:0:99999:7:::
target:
  selector: {role: web}
strategy:
  waves: [100%]
  bake: 1s
  progress_deadline: 4s
gates:
  - name: no-failed-hosts
    check: "failed_hosts <= 0"
)";

using GuardrailsE2eTest = E2eTest;

TEST_F(GuardrailsE2eTest, CommandRolloutIsRefusedByHostsThatDoNotAllowIt) {
  StartFleet(3);  // role web; the fixture's guardrails: no command
  // The witness: a host whose config accepts command variables.
  AgentOptions ops;
  ops.labels = {{"site", "a"}, {"role", "ops"}};
  ops.guardrails = {"--guardrail-kinds=command"};
  ASSERT_TRUE(cluster_->StartAgentWith("w0", ops).ok());
  ASSERT_TRUE(cluster_->AwaitConnected(4));

  std::string id = cluster_->Submit(
      cluster_->WritePlan("refused", CommandPlan("refused", "web", dir_)));
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(cluster_->AwaitState(id, "rolled_back")) << cluster_->State(id);
  EXPECT_THAT(cluster_->Status(id).summary().reason(),
              HasSubstr("no-failed-hosts"));
  for (int i = 0; i < 3; ++i) {
    const std::string h = absl::StrCat("h", i);
    swell::v1::RolloutHostStatus host = cluster_->HostStatus(id, h);
    EXPECT_EQ(host.state(), "failed") << h;
    EXPECT_THAT(host.message(),
                HasSubstr("refused by host policy: command variables are not "
                          "allowed on this host"))
        << h;
  }

  std::string witness = cluster_->Submit(
      cluster_->WritePlan("witness", CommandPlan("witness", "ops", dir_)));
  ASSERT_FALSE(witness.empty());
  ASSERT_TRUE(cluster_->AwaitState(witness, "succeeded"))
      << cluster_->State(witness);
  EXPECT_EQ(ReadAll(dir_ + "/somaxconn-w0"), "4096");
  // Only the witness ran the plan's commands: not one web host did, not
  // even the `current` that reads the value.
  std::istringstream ran(ReadAll(dir_ + "/commands-ran"));
  std::string line;
  int witness_lines = 0;
  while (std::getline(ran, line)) {
    EXPECT_EQ(line, "w0");
    ++witness_lines;
  }
  EXPECT_GE(witness_lines, 2) << "the witness read and applied";
}

TEST_F(GuardrailsE2eTest, FileOutsideThePrefixesIsRefusedAndNothingIsWritten) {
  for (int i = 0; i < 3; ++i) {
    const std::string root = cluster_->Root(absl::StrCat("h", i));
    std::filesystem::create_directories(root + "/etc");
    std::ofstream(root + "/etc/shadow") << kShadow;
  }
  StartFleet(3);  // the fixture's guardrails: file_prefixes [/etc/app/]
  std::map<std::string, std::map<std::string, std::string>> before;
  for (int i = 0; i < 3; ++i) {
    const std::string h = absl::StrCat("h", i);
    before[h] = HostTree(cluster_->Root(h));
  }

  std::string id = cluster_->Submit(cluster_->WritePlan("shadow", kShadowPlan));
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(cluster_->AwaitState(id, "rolled_back")) << cluster_->State(id);
  EXPECT_THAT(cluster_->Status(id).summary().reason(),
              HasSubstr("no-failed-hosts"));
  for (int i = 0; i < 3; ++i) {
    const std::string h = absl::StrCat("h", i);
    swell::v1::RolloutHostStatus host = cluster_->HostStatus(id, h);
    EXPECT_EQ(host.state(), "failed") << h;
    EXPECT_THAT(host.message(),
                HasSubstr("refused by host policy: /etc/shadow is not under "
                          "[/etc/app/]"))
        << h;
    EXPECT_EQ(HostTree(cluster_->Root(h)), before[h])
        << h << ": something changed outside the agent's state dir";
  }
  // The file's content was not read either, so the controller never had it.
  CommandOutput shown = cluster_->Ctl({"status", id, "-o", "json"});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_THAT(shown.out, Not(HasSubstr("guardrails-secret")));

  // The witness: the same hosts do change what lies below their prefixes,
  // and the tree comparison above sees such a change.
  const std::string good = "# managed by swell\nworkers = 8\n";
  std::string witness = cluster_->Submit(cluster_->WritePlan(
      "witness", ConfigPlan("witness", good, "[100%]", "1s")));
  ASSERT_FALSE(witness.empty());
  ASSERT_TRUE(cluster_->AwaitState(witness, "succeeded"))
      << cluster_->State(witness);
  for (int i = 0; i < 3; ++i) {
    const std::string h = absl::StrCat("h", i);
    std::map<std::string, std::string> after = HostTree(cluster_->Root(h));
    EXPECT_EQ(after["etc/app/app.conf"], good) << h;
    std::map<std::string, std::string> changed;
    for (const auto& [path, content] : after) {
      if (before[h][path] != content) changed[path] = content;
    }
    EXPECT_EQ(changed.size(), 1u) << h;
    EXPECT_EQ(after["etc/shadow"], kShadow) << h;
  }
}

}  // namespace
}  // namespace swell::e2e
