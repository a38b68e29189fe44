// The pull API (docs/pull-api.md) against the real controller over HTTPS:
// the documented curl + jq client enacts a file variable on a host without
// swell-agent in a rollout beside real agents, and the API's answers to
// each kind of caller.

#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/json_util.h"
#include "httplib.h"
#include "tests/e2e/e2e_fixture.h"

namespace swell::e2e {
namespace {

constexpr char kConf[] = "/etc/app/app.conf";
constexpr char kGood[] = "# managed by swell\nworkers = 8\n";

using PullE2eTest = E2eTest;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The host's row of `swellctl hosts -o json`; empty when not listed.
swell::v1::HostStatus HostRow(const Cluster& cluster, const std::string& id) {
  CommandOutput out = cluster.Ctl({"hosts", "-o", "json"});
  swell::v1::ListHostsResponse hosts;
  if (out.exit_code == 0 &&
      google::protobuf::util::JsonStringToMessage(out.out, &hosts).ok()) {
    for (const auto& h : hosts.hosts()) {
      if (h.host_id() == id) return h;
    }
  }
  return {};
}

class PullClient {
 public:
  // Presents `cert` (a host's) when given, else no certificate.
  PullClient(Cluster& cluster, const test_support::IssuedCertificate* cert) {
    std::vector<std::string> hp = absl::StrSplit(cluster.pull_address(), ':');
    int port = 0;
    EXPECT_TRUE(absl::SimpleAtoi(hp[1], &port));
    client_ = cert == nullptr
                  ? std::make_unique<httplib::SSLClient>(hp[0], port)
                  : std::make_unique<httplib::SSLClient>(
                        hp[0], port, cert->cert_file, cert->key_file);
    client_->set_ca_cert_path(cluster.ca_file().c_str());
    client_->enable_server_certificate_verification(true);
    client_->set_read_timeout(std::chrono::seconds(40));
  }
  httplib::SSLClient& operator*() { return *client_; }
  httplib::SSLClient* operator->() { return client_.get(); }

 private:
  std::unique_ptr<httplib::SSLClient> client_;
};

TEST_F(PullE2eTest, CurlClientTakesPartInARolloutBesideAgents) {
  ASSERT_TRUE(cluster_->StartController().ok());
  ASSERT_TRUE(cluster_->StartAgent("h0", {{"role", "web"}}).ok());
  ASSERT_TRUE(cluster_->StartAgent("h1", {{"role", "web"}}).ok());
  auto cert = cluster_->pki().IssueClient("pull-1", "pull-1");
  ASSERT_TRUE(cert.ok()) << cert.status();
  const std::string root = dir_ + "/pull-1";
  std::filesystem::create_directories(root + "/etc/app");
  std::ofstream(root + kConf) << "workers = 4\n";
  auto client = ChildProcess::Start(
      {"bash",     cluster_->source_dir() + "/deploy/examples/pull-client.sh",
       "--url",    "https://" + cluster_->pull_address(),
       "--host",   "pull-1",
       "--cert",   cert->cert_file,
       "--key",    cert->key_file,
       "--ca",     cluster_->ca_file(),
       "--labels", R"({"role":"web"})",
       "--sample", "app_healthy=1",
       "--root",   root,
       "--wait",   "2s"},
      dir_ + "/pull-client.log");
  ASSERT_TRUE(client.ok()) << client.status();
  ASSERT_TRUE(cluster_->AwaitConnected(3))
      << ReadFile(dir_ + "/pull-client.log");
  EXPECT_EQ(HostRow(*cluster_, "pull-1").agent_version(), "pull");
  EXPECT_EQ(HostRow(*cluster_, "pull-1").labels().at("role"), "web");
  CommandOutput table = cluster_->Ctl({"hosts"});
  EXPECT_NE(table.out.find("pull API"), std::string::npos) << table.out;

  const std::string id = cluster_->Submit(cluster_->WritePlan(
      "p.yaml", ConfigPlan("cfg", kGood, "[1, 50%, 100%]")));
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(cluster_->AwaitState(id, "succeeded", absl::Seconds(90)))
      << cluster_->Ctl({"status", id}).out
      << ReadFile(dir_ + "/pull-client.log");
  EXPECT_EQ(ReadFile(root + kConf), kGood);
  EXPECT_EQ(cluster_->ReadHostFile("h0", kConf), kGood);
  for (const char* h : {"h0", "h1", "pull-1"}) {
    EXPECT_EQ(cluster_->HostStatus(id, h).state(), "converged") << h;
  }
}

TEST_F(PullE2eTest, AnswersEachCallerAsDocumented) {
  ASSERT_TRUE(cluster_->StartController().ok());
  auto self = cluster_->pki().IssueClient("pull-2", "pull-2");
  auto other = cluster_->pki().IssueClient("other", "other");
  ASSERT_TRUE(self.ok() && other.ok());
  PullClient host(*cluster_, &*self);

  // Before any report: generation 0, nothing to enact.
  auto first = host->Get("/v1/hosts/pull-2/desired");
  ASSERT_TRUE(first) << httplib::to_string(first.error());
  EXPECT_EQ(first->status, 200) << first->body;
  EXPECT_NE(first->body.find("\"generation\": 0"), std::string::npos);

  auto bad =
      host->Put("/v1/hosts/pull-2/actual",
                R"({"variables": {"motd": {"value": 7}}})", "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("variables.motd.value: expected a string"),
            std::string::npos)
      << bad->body;
  EXPECT_TRUE(HostRow(*cluster_, "pull-2").host_id().empty());

  auto put = host->Put("/v1/hosts/pull-2/actual",
                       R"({"generation": 0, "labels": {"role": "batch"},
          "variables": {"app-config": {"value": "workers = 4\n"}}})",
                       "application/json");
  ASSERT_TRUE(put);
  EXPECT_EQ(put->status, 204) << put->body;
  ASSERT_TRUE(
      WaitFor([&] { return HostRow(*cluster_, "pull-2").connected(); }));

  // A long poll returns when a rollout gives the host a new generation.
  auto now = host->Get("/v1/hosts/pull-2/desired");
  ASSERT_TRUE(now);
  const std::string etag = now->get_header_value("ETag");
  ASSERT_FALSE(etag.empty());
  auto same = host->Get("/v1/hosts/pull-2/desired", {{"If-None-Match", etag}});
  ASSERT_TRUE(same);
  EXPECT_EQ(same->status, 304);
  auto waited = std::async(std::launch::async, [&] {
    PullClient poller(*cluster_, &*self);
    return poller->Get("/v1/hosts/pull-2/desired?wait=30s",
                       {{"If-None-Match", etag}});
  });
  const std::string id = cluster_->Submit(
      cluster_->WritePlan("p.yaml", ConfigPlan("cfg", kGood, "[100%]")));
  ASSERT_FALSE(id.empty());
  auto changed = waited.get();
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->status, 200);
  EXPECT_NE(changed->get_header_value("ETag"), etag);
  EXPECT_NE(changed->body.find("\"app-config\""), std::string::npos)
      << changed->body;

  // Another host's certificate reads and reports nothing of this one.
  PullClient intruder(*cluster_, &*other);
  auto refused = intruder->Get("/v1/hosts/pull-2/desired");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  EXPECT_NE(refused->body.find("the certificate names other"),
            std::string::npos);

  // A viewer token reads any known host, and reports for none.
  PullClient viewer(*cluster_, nullptr);
  viewer->set_bearer_token_auth(std::string(
      absl::StripAsciiWhitespace(ReadFile(cluster_->TokenFile("viewer")))));
  auto read = viewer->Get("/v1/hosts/pull-2/desired");
  ASSERT_TRUE(read);
  EXPECT_EQ(read->status, 200) << read->body;
  auto unknown = viewer->Get("/v1/hosts/nobody/desired");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  auto report =
      viewer->Put("/v1/hosts/pull-2/actual", "{}", "application/json");
  ASSERT_TRUE(report);
  EXPECT_EQ(report->status, 403);

  PullClient anonymous(*cluster_, nullptr);
  auto nobody = anonymous->Get("/v1/hosts/pull-2/desired");
  ASSERT_TRUE(nobody);
  EXPECT_EQ(nobody->status, 401);
}

}  // namespace
}  // namespace swell::e2e
