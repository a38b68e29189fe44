#include "tests/e2e/cluster.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/support/fixture_util.h"

namespace swell::e2e {
namespace fs = std::filesystem;
namespace {

int FreePort() {
  absl::StatusOr<int> port = test_support::FreeLoopbackPort();
  if (!port.ok()) {
    ADD_FAILURE() << port.status();
    return 1;
  }
  return *port;
}

std::string EnvOr(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : fallback;
}

}  // namespace

std::string ConfigPlan(const std::string& name, const std::string& content,
                       const std::string& waves, const std::string& bake) {
  std::string indented;
  for (auto line : absl::StrSplit(content, '\n', absl::SkipEmpty())) {
    absl::StrAppend(&indented, "    ", line, "\n");
  }
  return absl::StrCat("name: ", name, "\n",
                      "change:\n"
                      "  variable: app-config\n"
                      "  kind: file\n"
                      "  path: /etc/app/app.conf\n"
                      "  content: |\n",
                      indented,
                      "strategy:\n"
                      "  waves: ",
                      waves,
                      "\n"
                      "  bake: ",
                      bake,
                      "\n"
                      "  progress_deadline: 60s\n"
                      "gates:\n"
                      "  - name: app-healthy\n"
                      "    check: \"min(app_healthy) >= 1\"\n"
                      "  - name: no-failed-hosts\n"
                      "    check: \"failed_hosts <= 0\"\n");
}

Cluster::Cluster(std::string dir, std::string conninfo)
    : dir_(std::move(dir)),
      conninfo_(std::move(conninfo)),
      address_(absl::StrCat("127.0.0.1:", FreePort())),
      api_address_(absl::StrCat("127.0.0.1:", FreePort())),
      pull_address_(absl::StrCat("127.0.0.1:", FreePort())),
      first_api_address_(api_address_),
      source_dir_(EnvOr("SWELL_SOURCE_DIR", SWELL_SOURCE_DIR_DEFAULT)),
      build_dir_(EnvOr("SWELL_BUILD_DIR", SWELL_BUILD_DIR_DEFAULT)) {
  fs::create_directories(dir_ + "/hosts");
  fs::create_directories(dir_ + "/pki/hosts");
  auto pki = test_support::ThrowawayPki::Create(dir_ + "/pki", "swell");
  if (!pki.ok()) {
    pki_status_ = pki.status();
    return;
  }
  pki_ = std::make_unique<test_support::ThrowawayPki>(*std::move(pki));
  auto cert = pki_->IssueServer("controller", {"localhost"}, {"127.0.0.1"});
  if (!cert.ok()) {
    pki_status_ = cert.status();
    return;
  }
  controller_cert_ = *cert;
  token_files_["admin"] = dir_ + "/admin.token";
}

Cluster::~Cluster() {
  for (auto& [id, agent] : agents_) agent->Signal(SIGKILL);
  if (controller_) controller_->Signal(SIGKILL);
}

absl::Status Cluster::StartController(
    const std::vector<std::string>& extra_args) {
  if (!pki_status_.ok()) return pki_status_;
  std::vector<std::string> args =
      ControllerArgs(address_, first_api_address_, pull_address_);
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  auto child = ChildProcess::Start(args, dir_ + "/controller.log");
  if (!child.ok()) return child.status();
  controller_ = *std::move(child);
  if (!WaitFor([&] { return Ctl({"list"}).exit_code == 0; })) {
    return absl::DeadlineExceededError(absl::StrCat(
        "the controller did not answer; see ", dir_, "/controller.log"));
  }
  return absl::OkStatus();
}

void Cluster::KillController() {
  if (controller_) controller_->Signal(SIGKILL);
  controller_.reset();
}

std::vector<std::string> Cluster::ControllerArgs(
    const std::string& address, const std::string& api_address,
    const std::string& pull_address) const {
  // --config "": an installed /etc/swell/controller.yaml is not this test's.
  return {build_dir_ + "/controller/swell-controller",
          "--config",
          "",
          "--tls_cert",
          controller_cert_.cert_file,
          "--tls_key",
          controller_cert_.key_file,
          "--tls_client_ca",
          ca_file(),
          "--bootstrap_admin_token_file",
          dir_ + "/admin.token",
          "--listen",
          address,
          "--api_listen",
          api_address,
          "--pull_listen",
          pull_address,
          "--metrics_listen",
          "",
          "--database",
          conninfo_,
          "--agent_grace",
          "20s",
          "--tick",
          "100ms",
          "--log_level",
          "debug"};
}

std::string Cluster::Root(const std::string& id) const {
  return absl::StrCat(dir_, "/hosts/", id);
}

absl::Status Cluster::StartAgent(
    const std::string& id, const std::map<std::string, std::string>& labels,
    const std::string& config) {
  AgentOptions options;
  options.labels = labels;
  options.config = config;
  return StartAgentWith(id, options);
}

absl::Status Cluster::StartAgentWith(const std::string& id,
                                     const AgentOptions& options) {
  const std::map<std::string, std::string>& labels = options.labels;
  const std::string& config = options.config;
  const std::string root = Root(id);
  const std::string conf = root + "/etc/app/app.conf";
  if (!fs::exists(conf)) {
    fs::create_directories(root + "/etc/app");
    std::ofstream(conf) << "# " << id << "\n" << config;
  }
  if (!pki_status_.ok()) return pki_status_;
  const std::string cert_stem = "hosts/" + id;
  if (!fs::exists(dir_ + "/pki/" + cert_stem + ".pem")) {
    auto cert = pki_->IssueClient(cert_stem, id);
    if (!cert.ok()) return cert.status();
  }
  std::vector<std::string> args = {
      build_dir_ + "/agent/swell-agent",
      "--tls-cert",
      dir_ + "/pki/" + cert_stem + ".pem",
      "--tls-key",
      dir_ + "/pki/" + cert_stem + ".key",
      "--tls-ca",
      ca_file(),
      "--controller",
      AgentControllers(),
      "--host-id",
      id,
      "--root",
      root,
      "--check",
      "app_healthy=" + source_dir_ + "/deploy/demo/app-health.sh",
      "--check-interval",
      "1s",
      "--log_level",
      "debug"};
  for (const auto& [k, v] : labels) {
    args.push_back("--label");
    args.push_back(absl::StrCat(k, "=", v));
  }
  args.insert(args.end(), options.guardrails.begin(), options.guardrails.end());
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  auto child = ChildProcess::Start(
      args, absl::StrCat(dir_, "/agent-", id, ".log"), options.env);
  if (!child.ok()) return child.status();
  agents_[id] = *std::move(child);
  return absl::OkStatus();
}

void Cluster::KillAgent(const std::string& id) {
  auto it = agents_.find(id);
  if (it == agents_.end()) return;
  it->second->Signal(SIGKILL);
  agents_.erase(it);
}

std::string Cluster::ReadHostFile(const std::string& id,
                                  const std::string& path) const {
  std::ifstream in(Root(id) + path, std::ios::binary);
  if (!in) return "<absent>";
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> Cluster::CtlFlags(
    const std::string& token_file) const {
  return {"--controller", api_address_,   "--ca",
          ca_file(),      "--token-file", token_file};
}

CommandOutput Cluster::Ctl(std::vector<std::string> args) const {
  std::vector<std::string> flags = CtlFlags(dir_ + "/admin.token");
  args.insert(args.begin(), flags.begin(), flags.end());
  args.insert(args.begin(), build_dir_ + "/cli/swellctl");
  return RunCommand(args, {{"SWELL_ACTOR", "e2e-test"}});
}

std::string Cluster::TokenFile(const std::string& role) {
  auto it = token_files_.find(role);
  if (it != token_files_.end()) return it->second;
  const std::string name = "e2e-" + role;
  CommandOutput out = Ctl({"token", "create", name, "--role", role});
  // The token is the one word that starts with swell_.
  std::string token;
  for (absl::string_view word :
       absl::StrSplit(out.out, absl::ByAnyChar(" \n\t"), absl::SkipEmpty())) {
    if (absl::StartsWith(word, "swell_")) token = std::string(word);
  }
  if (out.exit_code != 0 || token.empty()) {
    ADD_FAILURE() << "swellctl token create " << name << " failed: " << out.out
                  << out.err;
    return "";
  }
  const std::string file = absl::StrCat(dir_, "/", name, ".token");
  std::ofstream(file) << token << "\n";
  token_files_[role] = file;
  return file;
}

CommandOutput Cluster::CtlAs(const std::string& role,
                             std::vector<std::string> args) {
  std::vector<std::string> flags = CtlFlags(TokenFile(role));
  args.insert(args.begin(), flags.begin(), flags.end());
  args.insert(args.begin(), build_dir_ + "/cli/swellctl");
  return RunCommand(args, {{"SWELL_ACTOR", "e2e-test"}});
}

std::string Cluster::WritePlan(const std::string& name,
                               const std::string& yaml) const {
  std::string path = absl::StrCat(dir_, "/", name, ".yaml");
  std::ofstream(path) << yaml;
  return path;
}

std::string Cluster::Submit(const std::string& plan_path) const {
  CommandOutput out = Ctl({"submit", plan_path});
  if (out.exit_code != 0) return "";
  return std::string(absl::StripAsciiWhitespace(
      std::vector<std::string>(absl::StrSplit(out.out, '\n')).front()));
}

swell::v1::RolloutStatus Cluster::Status(const std::string& id) const {
  swell::v1::RolloutStatus status;
  CommandOutput out = Ctl({"status", id, "-o", "json"});
  if (out.exit_code == 0) {
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = true;
    (void)google::protobuf::util::JsonStringToMessage(out.out, &status,
                                                      options);
  }
  return status;
}

swell::v1::RolloutHostStatus Cluster::HostStatus(
    const std::string& id, const std::string& host) const {
  swell::v1::RolloutStatus status;
  CommandOutput out = Ctl({"status", id, "--host", host, "-o", "json"});
  if (out.exit_code == 0) {
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = true;
    (void)google::protobuf::util::JsonStringToMessage(out.out, &status,
                                                      options);
  }
  for (const auto& h : status.hosts()) {
    if (h.host_id() == host) return h;
  }
  return {};
}

std::string Cluster::State(const std::string& id) const {
  return Status(id).summary().state();
}

bool Cluster::AwaitState(const std::string& id, const std::string& state,
                         absl::Duration timeout) const {
  return WaitFor([&] { return State(id) == state; }, timeout);
}

bool Cluster::AwaitConnected(int n) const {
  return WaitFor([&] {
    CommandOutput out = Ctl({"hosts", "-o", "json"});
    swell::v1::ListHostsResponse hosts;
    if (out.exit_code != 0 ||
        !google::protobuf::util::JsonStringToMessage(out.out, &hosts).ok()) {
      return false;
    }
    int connected = 0;
    for (const auto& h : hosts.hosts()) connected += h.connected();
    return connected >= n;
  });
}

}  // namespace swell::e2e
