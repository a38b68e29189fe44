// Simulated agents against stand-in controllers on 127.0.0.1: what they
// say and when, as a real agent (agent/agent.cc, agent/enforcer.cc), and
// that each presents its own certificate.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/tls.h"
#include "common/value.h"
#include "gtest/gtest.h"
#include "tests/sim/host_certificates.h"
#include "tests/sim/simulated_fleet.h"
#include "tests/support/throwaway_pki.h"
#include "tests/unit/agent/fake_controller.h"
#include "tests/unit/agent/test_util.h"

namespace swell::sim {
namespace {

using ::swell::agent::testing::FakeController;
using ::swell::agent::testing::TempDir;
using ::swell::agent::testing::WaitFor;

constexpr char kStart[] = "workers = 4\n";
constexpr char kNew[] = "workers = 8\n";

FleetOptions OneHost(const std::string& address) {
  FleetOptions o;
  o.prefix = "t-";
  o.hosts = 1;
  o.start_values["app-config"] = common::PresentValue(kStart);
  o.behaviour.link.addresses = {address};
  o.behaviour.link.backoff_max = absl::Milliseconds(500);
  o.behaviour.labels = {{"role", "web"}};
  o.behaviour.health_interval = absl::Milliseconds(50);
  o.behaviour.apply_delay = absl::Milliseconds(300);
  return o;
}

std::unique_ptr<SimulatedFleet> MakeFleet(FleetOptions options) {
  auto fleet = SimulatedFleet::Create(
      std::move(options),
      [](const std::string&)
          -> absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> {
        return grpc::InsecureChannelCredentials();
      });
  EXPECT_TRUE(fleet.ok()) << fleet.status();
  return fleet.ok() ? *std::move(fleet) : nullptr;
}

swell::v1::DesiredState Desired(int64_t generation, const std::string& value,
                                bool enforce = true) {
  swell::v1::DesiredState s;
  s.set_host_id("t-0");
  s.set_generation(generation);
  swell::v1::DesiredVariable* v = s.add_variables();
  v->mutable_spec()->set_name("app-config");
  v->mutable_spec()->set_kind(swell::v1::VARIABLE_KIND_FILE);
  v->mutable_spec()->mutable_file()->set_path("/etc/app/app.conf");
  v->set_enforce(enforce);
  *v->mutable_value() = common::PresentValue(value);
  return s;
}

// The index of the first message at or after `from` that `pred` accepts,
// or -1.
int Find(const std::vector<swell::v1::AgentMessage>& messages, size_t from,
         const std::function<bool(const swell::v1::AgentMessage&)>& pred) {
  for (size_t i = from; i < messages.size(); ++i) {
    if (pred(messages[i])) return static_cast<int>(i);
  }
  return -1;
}

bool IsResult(const swell::v1::AgentMessage& m) { return m.has_apply_result(); }
bool HealthIs(const swell::v1::AgentMessage& m, double app_healthy) {
  return m.has_health() && m.health().samples_size() == 2 &&
         m.health().samples(0).name() == "app_healthy" &&
         m.health().samples(0).value() == app_healthy;
}

TEST(SimulatedAgentTest, AppliesTheDesiredValueAndReportsAsARealAgent) {
  FakeController controller;
  ASSERT_TRUE(controller.ok());
  controller.SetDesired(Desired(1, kNew));
  auto fleet = MakeFleet(OneHost(controller.address()));
  ASSERT_NE(fleet, nullptr);
  fleet->Start();

  ASSERT_TRUE(WaitFor([&] {
    auto r = controller.received();
    return Find(r, 0, IsResult) >= 0 &&
           Find(r, Find(r, 0, IsResult),
                [](const auto& m) { return HealthIs(m, 1); }) >= 0;
  })) << controller.received().size()
      << " messages";
  const swell::v1::Hello hello = controller.hellos().front();
  EXPECT_EQ(hello.host_id(), "t-0");
  EXPECT_EQ(hello.labels().at("role"), "web");
  EXPECT_EQ(hello.last_generation(), 0);
  EXPECT_EQ(hello.actual_size(), 0) << "it held no desired state yet";

  auto received = controller.received();
  const int result = Find(received, 0, IsResult);
  const swell::v1::ApplyResult& r = received[result].apply_result();
  EXPECT_EQ(r.variable(), "app-config");
  EXPECT_EQ(r.generation(), 1);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.actual().data(), kNew);
  EXPECT_EQ(r.duration_ms(), 300);
  // Then the pass's actual values, then health measured at once.
  ASSERT_LT(result + 1, static_cast<int>(received.size()));
  ASSERT_TRUE(received[result + 1].has_actual());
  EXPECT_EQ(received[result + 1].actual().actual(0).value().data(), kNew);

  std::vector<ArrivalRow> arrivals = fleet->Arrivals();
  ASSERT_EQ(arrivals.size(), 1u);
  EXPECT_EQ(arrivals[0].host_id, "t-0");
  EXPECT_EQ(arrivals[0].arrival.generation, 1);
  EXPECT_EQ(arrivals[0].arrival.enforced, EnforcedValues::kChanged);
  EXPECT_EQ(fleet->Snapshot().applies_ok, 1u);
}

TEST(SimulatedAgentTest, AnUnhealthyAfterChangeHostTurnsBadOnlyOnceChanged) {
  FakeController controller;
  ASSERT_TRUE(controller.ok());
  controller.SetDesired(Desired(1, kNew));
  FleetOptions options = OneHost(controller.address());
  options.faults.unhealthy_after_change = 1;
  auto fleet = MakeFleet(std::move(options));
  ASSERT_NE(fleet, nullptr);
  fleet->Start();

  ASSERT_TRUE(WaitFor([&] {
    auto r = controller.received();
    return Find(r, 0, [](const auto& m) { return HealthIs(m, 0); }) >= 0;
  }));
  auto received = controller.received();
  const int result = Find(received, 0, IsResult);
  ASSERT_GE(result, 0);
  // Healthy while the apply took its time, bad from its report on.
  EXPECT_GE(Find(received, 0, [](const auto& m) { return HealthIs(m, 1); }), 0);
  EXPECT_LT(Find(received, 0, [](const auto& m) { return HealthIs(m, 1); }),
            result);
  EXPECT_GT(Find(received, 0, [](const auto& m) { return HealthIs(m, 0); }),
            result);
  EXPECT_EQ(
      Find(received, result, [](const auto& m) { return HealthIs(m, 1); }), -1);
}

TEST(SimulatedAgentTest, AFailingApplyKeepsTheValueAndSaysWhy) {
  FakeController controller;
  ASSERT_TRUE(controller.ok());
  controller.SetDesired(Desired(1, kNew));
  FleetOptions options = OneHost(controller.address());
  options.faults.failing_apply = 1;
  auto fleet = MakeFleet(std::move(options));
  ASSERT_NE(fleet, nullptr);
  fleet->Start();

  ASSERT_TRUE(
      WaitFor([&] { return Find(controller.received(), 0, IsResult) >= 0; }));
  auto received = controller.received();
  const swell::v1::ApplyResult& r =
      received[Find(received, 0, IsResult)].apply_result();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.actual().data(), kStart);
  EXPECT_EQ(r.message(), "simulated apply failure");
  EXPECT_EQ(fleet->Snapshot().applies_failed, 1u);
}

// Enforcer::ReportOnce: an outcome is said once per connection, so a new
// connection hears it again; the Hello says what the host holds.
TEST(SimulatedAgentTest, ANewConnectionHearsTheOutcomeAndTheHeldState) {
  auto controller = std::make_unique<FakeController>();
  ASSERT_TRUE(controller->ok());
  const int port = controller->port();
  controller->SetDesired(Desired(1, kNew));
  auto fleet = MakeFleet(OneHost(controller->address()));
  ASSERT_NE(fleet, nullptr);
  fleet->Start();
  ASSERT_TRUE(
      WaitFor([&] { return Find(controller->received(), 0, IsResult) >= 0; }));

  controller.reset();
  controller = std::make_unique<FakeController>(port);
  ASSERT_TRUE(controller->ok()) << "port " << port << " was taken meanwhile";
  controller->SetDesired(Desired(1, kNew));
  ASSERT_TRUE(
      WaitFor([&] { return Find(controller->received(), 0, IsResult) >= 0; }));
  const swell::v1::Hello hello = controller->hellos().front();
  EXPECT_EQ(hello.last_generation(), 1);
  ASSERT_EQ(hello.actual_size(), 1);
  EXPECT_EQ(hello.actual(0).value().data(), kNew);
  auto received = controller->received();
  const swell::v1::ApplyResult& r =
      received[Find(received, 0, IsResult)].apply_result();
  EXPECT_EQ(r.generation(), 1);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(fleet->Snapshot().applies_ok, 1u) << "applied once, said twice";
  EXPECT_EQ(fleet->Arrivals().size(), 1u) << "the first arrival only";
}

// Records who each stream's certificate names, as the controller's
// identity check (common::PeerHostId), and who its Hello says it is.
class IdentityRecorder final : public swell::v1::AgentService::Service {
 public:
  grpc::Status Connect(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<swell::v1::ControllerMessage,
                               swell::v1::AgentMessage>* stream) override {
    swell::v1::AgentMessage hello;
    if (!stream->Read(&hello)) return grpc::Status::OK;
    absl::StatusOr<std::string> peer =
        common::PeerHostId(*context->auth_context());
    {
      absl::MutexLock lock(&mu_);
      seen_.emplace_back(peer.ok() ? *peer : peer.status().ToString(),
                         hello.hello().host_id());
    }
    swell::v1::AgentMessage ignored;
    while (stream->Read(&ignored)) {
    }
    return grpc::Status::OK;
  }
  std::vector<std::pair<std::string, std::string>> seen() const {
    absl::MutexLock lock(&mu_);
    return seen_;
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<std::pair<std::string, std::string>> seen_ ABSL_GUARDED_BY(mu_);
};

TEST(SimulatedAgentTest, EachAgentPresentsItsOwnCertificate) {
  TempDir dir;
  auto pki = test_support::ThrowawayPki::Create(dir.path(), "fleet");
  ASSERT_TRUE(pki.ok()) << pki.status();
  auto server_cert =
      pki->IssueServer("controller", {"localhost"}, {"127.0.0.1"});
  ASSERT_TRUE(server_cert.ok()) << server_cert.status();
  common::TlsFiles files;
  files.cert = server_cert->cert_file;
  files.key = server_cert->key_file;
  files.ca = pki->ca_file();
  auto server_creds = common::TlsServerCredentials(files, true);
  ASSERT_TRUE(server_creds.ok()) << server_creds.status();
  IdentityRecorder recorder;
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", *server_creds, &port);
  builder.RegisterService(&recorder);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);

  auto issuer = HostCertificateIssuer::Load(
      CaFiles{pki->ca_file(), dir / "fleet-ca.key"});
  ASSERT_TRUE(issuer.ok()) << issuer.status();
  FleetOptions options = OneHost(absl::StrCat("127.0.0.1:", port));
  options.hosts = 3;
  auto fleet = SimulatedFleet::Create(
      options,
      [&](const std::string& host)
          -> absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> {
        auto pair = (*issuer)->Issue(host);
        if (!pair.ok()) return pair.status();
        return HostChannelCredentials((*issuer)->ca_pem(), *pair);
      });
  ASSERT_TRUE(fleet.ok()) << fleet.status();
  (*fleet)->Start();
  ASSERT_TRUE(WaitFor([&] { return recorder.seen().size() >= 3; }))
      << recorder.seen().size() << " of 3 connected";
  std::set<std::string> hosts;
  for (const auto& [certified, said] : recorder.seen()) {
    EXPECT_EQ(certified, said);
    hosts.insert(said);
  }
  EXPECT_EQ(hosts, (std::set<std::string>{"t-0", "t-1", "t-2"}));
  (*fleet)->Stop();
  server->Shutdown(std::chrono::system_clock::now());
}

}  // namespace
}  // namespace swell::sim
