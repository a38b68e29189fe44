// Agent identity with the real binaries over mutual TLS on loopback: an
// impostor is refused while the real host converges and passes its gate;
// agents with another CA's or an expired certificate never become hosts;
// `swellctl hosts revoke` ends a connected agent's stream at once and
// `hosts unrevoke` lets the same process back; certificates replaced on
// disk take effect with no restart.

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "tests/e2e/e2e_fixture.h"
#include "tests/e2e/identity_probes.h"
#include "tests/support/fixture_util.h"
#include "tests/support/throwaway_pki.h"

namespace swell::e2e {
namespace {

namespace fs = std::filesystem;

constexpr char kConf[] = "/etc/app/app.conf";
constexpr char kGood[] = "# managed by swell\nworkers = 8\n";
const std::map<std::string, std::string> kLabels = {{"site", "a"},
                                                    {"role", "web"}};

class IdentityE2eTest : public E2eTest {
 protected:
  // Starts the controller with /metrics on a port of its own, plus `extra`.
  void StartController(std::vector<std::string> extra = {}) {
    absl::StatusOr<int> port = test_support::FreeLoopbackPort();
    ASSERT_TRUE(port.ok()) << port.status();
    metrics_ = absl::StrCat("http://127.0.0.1:", *port, "/metrics");
    extra.insert(extra.begin(),
                 {"--metrics_listen", absl::StrCat("127.0.0.1:", *port)});
    ASSERT_TRUE(cluster_->StartController(extra).ok());
  }

  // swell_agent_streams_refused_total{reason="<reason>"}; -1 when the
  // controller did not answer.
  double Refused(const std::string& reason) const {
    return MetricValue(
        metrics_, absl::StrCat("swell_agent_streams_refused_total{reason=\"",
                               reason, "\"} "));
  }

  // The host as `swellctl hosts -o json` reports it; empty when it is not
  // listed.
  swell::v1::HostStatus Host(const std::string& id) const {
    CommandOutput out = cluster_->Ctl({"hosts", "-o", "json"});
    swell::v1::ListHostsResponse hosts;
    if (out.exit_code == 0 &&
        google::protobuf::util::JsonStringToMessage(out.out, &hosts).ok()) {
      for (const auto& h : hosts.hosts()) {
        if (h.host_id() == id) return h;
      }
    }
    return swell::v1::HostStatus();
  }

  std::vector<std::string> HostIds() const {
    CommandOutput out = cluster_->Ctl({"hosts", "-o", "json"});
    swell::v1::ListHostsResponse hosts;
    std::vector<std::string> ids;
    if (out.exit_code == 0 &&
        google::protobuf::util::JsonStringToMessage(out.out, &hosts).ok()) {
      for (const auto& h : hosts.hosts()) ids.push_back(h.host_id());
    }
    return ids;
  }

  std::string metrics_;
};

// swell_agent_controller_failed_attempts_total of the agent whose /metrics
// is `url`; -1 when it did not answer.
double FailedAttempts(const std::string& url) {
  return MetricValue(url, "swell_agent_controller_failed_attempts_total{");
}

// Writes `from`'s bytes over `to` in one rename, as a deploy tool would.
void ReplaceFile(const std::string& from, const std::string& to) {
  const std::string tmp = to + ".new";
  fs::copy_file(from, tmp, fs::copy_options::overwrite_existing);
  fs::rename(tmp, to);
}

TEST_F(IdentityE2eTest, AnImpostorIsRefusedAndTheRealHostPassesItsGate) {
  StartController();
  ASSERT_TRUE(cluster_->StartAgent("web-1", kLabels).ok());
  ASSERT_TRUE(cluster_->AwaitConnected(1));

  // web-2's certificate, web-1's name, and a health check that fails: were
  // it taken for web-1, its stream would replace web-1's and its 0 would
  // fail the rollout's app-healthy gate.
  AgentOptions impostor;
  impostor.labels = kLabels;
  impostor.extra_args = {"--host-id=web-1", "--check=app_healthy=/bin/echo 0"};
  ASSERT_TRUE(cluster_->StartAgentWith("web-2", impostor).ok());
  ASSERT_TRUE(WaitFor([&] { return Refused("identity") >= 1; }))
      << Refused("identity");

  const std::string id = cluster_->Submit(cluster_->WritePlan(
      "impostor.yaml", ConfigPlan("impostor", kGood, "[100%]", "2s")));
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(cluster_->AwaitState(id, "succeeded")) << cluster_->State(id);
  EXPECT_EQ(cluster_->ReadHostFile("web-1", kConf), kGood);
  // The impostor kept trying during the rollout, and never got a row.
  EXPECT_GE(Refused("identity"), 1);
  EXPECT_EQ(HostIds(), std::vector<std::string>{"web-1"});
  EXPECT_TRUE(Host("web-1").connected());
  // Its gates ran on web-1's own samples, and passed.
  const swell::v1::RolloutStatus status = cluster_->Status(id);
  EXPECT_GT(status.verdicts_size(), 0);
  for (const auto& v : status.verdicts()) {
    EXPECT_NE(v.verdict(), "fail") << v.gate() << ": " << v.summary();
  }
}

TEST_F(IdentityE2eTest, AgentsWithoutAUsableCertificateNeverBecomeHosts) {
  StartController();
  fs::create_directories(dir_ + "/pki-other");
  auto other = test_support::ThrowawayPki::Create(dir_ + "/pki-other", "other");
  ASSERT_TRUE(other.ok()) << other.status();
  auto stranger = other->IssueClient("web-3", "web-3");
  auto expired =
      cluster_->pki().IssueExpiredClient("hosts/web-4-expired", "web-4");
  ASSERT_TRUE(stranger.ok() && expired.ok());
  // Another CA's certificate, and an expired one of the right CA, each
  // with its agent's /metrics, where its failed attempts are counted.
  std::vector<std::string> metrics;
  for (const auto& [id, cert] :
       {std::pair{"web-3", *stranger}, std::pair{"web-4", *expired}}) {
    absl::StatusOr<int> port = test_support::FreeLoopbackPort();
    ASSERT_TRUE(port.ok()) << port.status();
    AgentOptions options;
    options.labels = kLabels;
    options.extra_args = {
        "--tls-cert",  cert.cert_file,     "--tls-key",
        cert.key_file, "--metrics-listen", absl::StrCat("127.0.0.1:", *port)};
    ASSERT_TRUE(cluster_->StartAgentWith(id, options).ok());
    metrics.push_back(absl::StrCat("http://127.0.0.1:", *port, "/metrics"));
  }
  // The witness: each has been refused twice at least, and a host with a
  // good certificate, started after them, is served.
  for (const std::string& url : metrics) {
    ASSERT_TRUE(WaitFor([&] { return FailedAttempts(url) >= 2; }))
        << url << ": " << FailedAttempts(url);
  }
  ASSERT_TRUE(cluster_->StartAgent("web-1", kLabels).ok());
  ASSERT_TRUE(cluster_->AwaitConnected(1));
  EXPECT_EQ(HostIds(), std::vector<std::string>{"web-1"});
  // Refused in the handshake, before any stream: nothing was counted as a
  // stream refusal either.
  EXPECT_EQ(Refused("identity"), 0);
  EXPECT_EQ(Refused("revoked"), 0);
}

TEST_F(IdentityE2eTest, RevokeEndsTheStreamAtOnceAndUnrevokeLetsItBack) {
  StartController();
  ASSERT_TRUE(cluster_->StartAgent("web-1", kLabels).ok());
  ASSERT_TRUE(cluster_->AwaitConnected(1));

  // Revocation is an admin's: a deployer is refused (exit 7) and the host
  // stays connected.
  CommandOutput deployer = cluster_->CtlAs(
      "deployer", {"hosts", "revoke", "web-1", "--reason", "not mine"});
  EXPECT_EQ(deployer.exit_code, 7) << deployer.err;
  EXPECT_TRUE(Host("web-1").connected());
  EXPECT_EQ(Host("web-1").state(), "connected");

  CommandOutput revoked = cluster_->Ctl(
      {"hosts", "revoke", "web-1", "--reason", "key leaked, SEC-12"});
  ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
  EXPECT_NE(revoked.out.find("host web-1 revoked"), std::string::npos)
      << revoked.out;
  // Ended before the answer; the tracker learns it as the stream closes.
  ASSERT_TRUE(
      WaitFor([&] { return !Host("web-1").connected(); }, absl::Seconds(5)));
  EXPECT_EQ(Host("web-1").state(), "revoked");
  EXPECT_EQ(Host("web-1").revoke_reason(), "key leaked, SEC-12");
  CommandOutput table = cluster_->Ctl({"hosts"});
  EXPECT_NE(table.out.find("web-1 revoked"), std::string::npos) << table.out;

  // The same agent keeps coming back and is refused; nothing of the host
  // changes meanwhile.
  ASSERT_TRUE(WaitFor([&] { return Refused("revoked") >= 1; }));
  const std::string before = Host("web-1").DebugString();
  const double refused = Refused("revoked");
  ASSERT_TRUE(WaitFor([&] { return Refused("revoked") > refused; }));
  EXPECT_EQ(Host("web-1").DebugString(), before);

  CommandOutput unknown =
      cluster_->Ctl({"hosts", "revoke", "web-9", "--reason", "typo"});
  EXPECT_EQ(unknown.exit_code, 6) << unknown.err;

  CommandOutput unrevoked = cluster_->Ctl({"hosts", "unrevoke", "web-1"});
  ASSERT_EQ(unrevoked.exit_code, 0) << unrevoked.err;
  ASSERT_TRUE(cluster_->AwaitConnected(1));
  EXPECT_EQ(Host("web-1").state(), "connected");
  // And it is served again: a rollout reaches it.
  const std::string id = cluster_->Submit(cluster_->WritePlan(
      "back.yaml", ConfigPlan("back", kGood, "[100%]", "1s")));
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(cluster_->AwaitState(id, "succeeded")) << cluster_->State(id);
  EXPECT_EQ(cluster_->ReadHostFile("web-1", kConf), kGood);
}

// The controller's client CA and the agent's certificate and key are
// replaced on disk by ones of a new CA, which the old ones do not verify.
// The connection is dropped (a revoke and unrevoke), and the same agent
// process connects again: both sides read the new files by themselves.
TEST_F(IdentityE2eTest, CertificatesReplacedOnDiskTakeEffectWithNoRestart) {
  const std::string client_ca = dir_ + "/client-ca.pem";
  fs::copy_file(cluster_->ca_file(), client_ca);
  StartController({"--tls_client_ca", client_ca});
  ASSERT_TRUE(cluster_->StartAgent("web-1", kLabels).ok());
  ASSERT_TRUE(cluster_->AwaitConnected(1));

  fs::create_directories(dir_ + "/pki-next");
  auto next = test_support::ThrowawayPki::Create(dir_ + "/pki-next", "next");
  ASSERT_TRUE(next.ok()) << next.status();
  auto cert = next->IssueClient("web-1", "web-1");
  ASSERT_TRUE(cert.ok()) << cert.status();
  // Where Cluster keeps web-1's certificate (tests/e2e/cluster.cc).
  const std::string agent_cert = dir_ + "/pki/hosts/web-1.pem";
  const std::string agent_key = dir_ + "/pki/hosts/web-1.key";
  ASSERT_TRUE(fs::exists(agent_cert) && fs::exists(agent_key));
  const std::string old_cert = dir_ + "/old-web-1.pem";
  const std::string old_key = dir_ + "/old-web-1.key";
  fs::copy_file(agent_cert, old_cert);
  fs::copy_file(agent_key, old_key);
  const std::string ca = cluster_->ca_file();
  ASSERT_EQ(ProbeAgentListener(cluster_->address(), old_cert, old_key, ca),
            grpc::StatusCode::PERMISSION_DENIED);
  ReplaceFile(next->ca_file(), client_ca);
  ReplaceFile(cert->key_file, agent_key);
  ReplaceFile(cert->cert_file, agent_cert);
  // The witness that the controller read its new client CA by itself:
  // the old certificate no longer passes the handshake, the new one does.
  ASSERT_TRUE(WaitFor([&] {
    return ProbeAgentListener(cluster_->address(), old_cert, old_key, ca) ==
           grpc::StatusCode::UNAVAILABLE;
  }));
  EXPECT_EQ(ProbeAgentListener(cluster_->address(), cert->cert_file,
                               cert->key_file, ca),
            grpc::StatusCode::PERMISSION_DENIED);

  ASSERT_EQ(cluster_->Ctl({"hosts", "revoke", "web-1", "--reason", "rotate"})
                .exit_code,
            0);
  ASSERT_TRUE(
      WaitFor([&] { return !Host("web-1").connected(); }, absl::Seconds(5)));
  ASSERT_EQ(cluster_->Ctl({"hosts", "unrevoke", "web-1"}).exit_code, 0);
  // The same process is back: it can only be presenting the new
  // certificate, which it read by itself.
  ASSERT_TRUE(cluster_->AwaitConnected(1));
  const std::string id = cluster_->Submit(cluster_->WritePlan(
      "rotated.yaml", ConfigPlan("rotated", kGood, "[100%]", "1s")));
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(cluster_->AwaitState(id, "succeeded")) << cluster_->State(id);
  EXPECT_EQ(cluster_->ReadHostFile("web-1", kConf), kGood);
}

}  // namespace
}  // namespace swell::e2e
