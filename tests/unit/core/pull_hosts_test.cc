// Pull sessions (pull_hosts.h) over the real SessionRegistry, AgentTracker
// and HealthWindow, with a fake clock and no sweeper thread: hellos, actual
// reports and apply results, health, the lease, revocation, and a real
// agent stream of the same host.

#include "controller/service/pull_hosts.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fakes/fake_clock.h"

namespace swell::controller {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

const absl::Duration kLease = absl::Seconds(60);

swell::v1::Value Present(std::string data) {
  swell::v1::Value v;
  v.set_present(true);
  v.set_data(std::move(data));
  return v;
}

PullReport::Variable Var(std::string name, swell::v1::Value value,
                         std::string error = "") {
  return PullReport::Variable{std::move(name), std::move(value),
                              std::move(error)};
}

PullReport MakeReport(
    int64_t generation, std::vector<PullReport::Variable> variables,
    std::optional<std::map<std::string, std::string>> labels = std::nullopt) {
  PullReport r;
  r.generation = generation;
  r.labels = std::move(labels);
  r.variables = std::move(variables);
  return r;
}

swell::v1::HealthReport Samples(double latency, std::string probe_error) {
  swell::v1::HealthReport r;
  swell::v1::Sample* ok = r.add_samples();
  ok->set_name("latency_ms");
  ok->set_ok(true);
  ok->set_value(latency);
  swell::v1::Sample* failed = r.add_samples();
  failed->set_name("probe");
  failed->set_error(std::move(probe_error));
  return r;
}

std::map<std::string, std::string> LabelsOf(const swell::v1::Hello& hello) {
  return {hello.labels().begin(), hello.labels().end()};
}

// The registry's view of a real agent stream (AgentStream): what it
// records when its hello is admitted, and when it ends.
class FakeAgentStream final : public DesiredStateSink {
 public:
  void PushDesired(const swell::v1::DesiredState&) override {}
  void Supersede() override { superseded = true; }
  void End(const absl::Status& why) override { ended = why; }

  bool superseded = false;
  absl::Status ended;
};

class PullHostsTest : public ::testing::Test {
 protected:
  // A real agent of `host` says hello, as AgentStream's handler does.
  void AgentConnects(const std::string& host, FakeAgentStream* stream) {
    ASSERT_TRUE(sessions_.Register(host, stream).ok());
    swell::v1::Hello hello;
    hello.set_host_id(host);
    hello.set_agent_version("1.4.0");
    tracker_.Connected(hello, clock_.Now());
  }
  // Its stream ends, as AgentStream::OnDone does.
  void AgentLeaves(const std::string& host, FakeAgentStream* stream) {
    sessions_.Unregister(host, stream);
    tracker_.Disconnected(host, clock_.Now());
  }

  std::optional<HealthWindow::Point> Latest(const std::string& metric) const {
    return health_.Latest("web-1", metric, absl::InfinitePast());
  }

  testing::FakeClock clock_;
  AgentTracker tracker_{clock_.Now()};
  SessionRegistry sessions_;
  HealthWindow health_;
  // Counters only: its gRPC side is never started.
  AgentServiceImpl counters_{&sessions_, &tracker_,
                             &health_,   AgentEvents{},
                             &clock_,    AgentIdentity::kHelloUnverified};
  std::vector<swell::v1::Hello> hellos_;
  std::vector<std::string> gone_;
  int wakes_ = 0;
  PullHosts pull_{
      &sessions_,
      &tracker_,
      &health_,
      AgentEvents{
          .hello = [this](const swell::v1::Hello& h) { hellos_.push_back(h); },
          .wake = [this] { ++wakes_; },
          .gone = [this](const std::string& h) { gone_.push_back(h); }},
      &clock_,
      &counters_,
      PullHosts::Options{.lease = kLease, .sweep = absl::ZeroDuration()}};
};

TEST_F(PullHostsTest, TheFirstReportIsAHelloWithTheReportsLabels) {
  ASSERT_TRUE(pull_
                  .Report("web-1",
                          MakeReport(3, {Var("motd", Present("hi\n"))},
                                     {{{"site", "a"}, {"role", "web"}}}),
                          nullptr)
                  .ok());
  ASSERT_EQ(hellos_.size(), 1u);
  const swell::v1::Hello& hello = hellos_[0];
  EXPECT_EQ(hello.host_id(), "web-1");
  EXPECT_EQ(hello.agent_version(), kPullAgentVersion);
  EXPECT_EQ(hello.agent_version(), "pull");
  EXPECT_EQ(hello.last_generation(), 3);
  EXPECT_THAT(LabelsOf(hello),
              ElementsAre(Pair("role", "web"), Pair("site", "a")));
  ASSERT_EQ(hello.actual_size(), 1);
  EXPECT_EQ(hello.actual(0).name(), "motd");
  EXPECT_EQ(hello.actual(0).value().data(), "hi\n");

  EXPECT_TRUE(tracker_.Connected("web-1"));
  EXPECT_EQ(tracker_.LastHeard("web-1"), clock_.Now());
  std::optional<swell::v1::Value> actual = tracker_.Actual("web-1", "motd");
  ASSERT_TRUE(actual.has_value());
  EXPECT_EQ(actual->data(), "hi\n");
  EXPECT_EQ(sessions_.size(), 1u);
  EXPECT_EQ(pull_.ConnectedCount(), 1);
  EXPECT_THAT(gone_, IsEmpty());
}

TEST_F(PullHostsTest, AReportWithoutLabelsTakesThoseOfTheFleetsRecord) {
  Fleet fleet;
  fleet.hosts["web-1"].id = "web-1";
  fleet.hosts["web-1"].labels = {{"site", "b"}};
  fleet.hosts["web-2"].id = "web-2";
  fleet.hosts["web-2"].labels = {{"site", "c"}};

  ASSERT_TRUE(pull_.Report("web-1", MakeReport(0, {}), &fleet).ok());
  // Labels in the report win over the record, even none at all.
  ASSERT_TRUE(pull_.Report("web-2", MakeReport(0, {}, {{}}), &fleet).ok());
  // A host the fleet does not know yet has none.
  ASSERT_TRUE(pull_.Report("web-3", MakeReport(0, {}), &fleet).ok());

  ASSERT_EQ(hellos_.size(), 3u);
  EXPECT_THAT(LabelsOf(hellos_[0]), ElementsAre(Pair("site", "b")));
  EXPECT_EQ(hellos_[1].labels_size(), 0);
  EXPECT_EQ(hellos_[2].labels_size(), 0);
}

TEST_F(PullHostsTest, ASecondReportIsAnActualReportNotAHello) {
  ASSERT_TRUE(
      pull_.Report("web-1", MakeReport(0, {Var("motd", Present("a"))}), nullptr)
          .ok());
  const int wakes = wakes_;
  clock_.Advance(absl::Seconds(10));
  ASSERT_TRUE(
      pull_.Report("web-1", MakeReport(0, {Var("motd", Present("b"))}), nullptr)
          .ok());

  EXPECT_EQ(hellos_.size(), 1u);
  EXPECT_GT(wakes_, wakes);
  std::optional<swell::v1::Value> actual = tracker_.Actual("web-1", "motd");
  ASSERT_TRUE(actual.has_value());
  EXPECT_EQ(actual->data(), "b");
  EXPECT_EQ(tracker_.LastHeard("web-1"), clock_.Now());
  // Generation 0: nothing was enacted, so no apply result.
  EXPECT_FALSE(tracker_.LastApply("web-1", "motd").has_value());
}

TEST_F(PullHostsTest, NewLabelsAreANewHello) {
  ASSERT_TRUE(
      pull_.Report("web-1", MakeReport(0, {}, {{{"role", "web"}}}), nullptr)
          .ok());
  // The same labels, or none, keep the session.
  ASSERT_TRUE(
      pull_.Report("web-1", MakeReport(0, {}, {{{"role", "web"}}}), nullptr)
          .ok());
  ASSERT_TRUE(pull_.Report("web-1", MakeReport(0, {}), nullptr).ok());
  ASSERT_EQ(hellos_.size(), 1u);

  ASSERT_TRUE(
      pull_.Report("web-1", MakeReport(0, {}, {{{"role", "batch"}}}), nullptr)
          .ok());
  ASSERT_EQ(hellos_.size(), 2u);
  EXPECT_THAT(LabelsOf(hellos_[1]), ElementsAre(Pair("role", "batch")));
  EXPECT_THAT(gone_, ElementsAre("web-1"));
  EXPECT_TRUE(tracker_.Connected("web-1"));
}

TEST_F(PullHostsTest, AReportOfNoVariablesAfterTheHelloIsStillAReport) {
  ASSERT_TRUE(
      pull_.Report("web-1", MakeReport(0, {Var("motd", Present("a"))}), nullptr)
          .ok());
  clock_.Advance(absl::Seconds(30));
  // A host whose desired state has nothing it enacts reports nothing.
  absl::Status s = pull_.Report("web-1", MakeReport(2, {}), nullptr);
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(hellos_.size(), 1u);
  EXPECT_EQ(tracker_.LastHeard("web-1"), clock_.Now());
  // It renewed the lease: 61s after the hello, 31s after this report.
  clock_.Advance(absl::Seconds(31));
  pull_.ExpireSilent();
  EXPECT_TRUE(tracker_.Connected("web-1"));
  EXPECT_THAT(gone_, IsEmpty());
}

TEST_F(PullHostsTest, AReportOfAGenerationIsAnApplyResultPerVariable) {
  swell::v1::Value absent;
  ASSERT_TRUE(
      pull_
          .Report("web-1",
                  MakeReport(4, {Var("motd", Present("new")),
                                 Var("nginx", absent, "apt-get: exit 100")}),
                  nullptr)
          .ok());

  std::optional<AgentApply> motd = tracker_.LastApply("web-1", "motd");
  ASSERT_TRUE(motd.has_value());
  EXPECT_EQ(motd->generation, 4);
  EXPECT_TRUE(motd->ok);
  EXPECT_EQ(motd->actual.data(), "new");
  EXPECT_EQ(motd->message, "");
  EXPECT_EQ(motd->at, clock_.Now());

  std::optional<AgentApply> nginx = tracker_.LastApply("web-1", "nginx");
  ASSERT_TRUE(nginx.has_value());
  EXPECT_EQ(nginx->generation, 4);
  EXPECT_FALSE(nginx->ok);
  EXPECT_EQ(nginx->message, "apt-get: exit 100");
  EXPECT_FALSE(nginx->actual.present());

  // A later report of the next generation replaces the results.
  ASSERT_TRUE(pull_
                  .Report("web-1",
                          MakeReport(5, {Var("nginx", Present("1.22"))}),
                          nullptr)
                  .ok());
  nginx = tracker_.LastApply("web-1", "nginx");
  ASSERT_TRUE(nginx.has_value());
  EXPECT_EQ(nginx->generation, 5);
  EXPECT_TRUE(nginx->ok);
  EXPECT_EQ(hellos_.size(), 1u);
}

TEST_F(PullHostsTest, AnInvalidHostIdIsRefusedWithNothingRecorded) {
  absl::Status s = pull_.Report("web 1", MakeReport(0, {}), nullptr);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(hellos_, IsEmpty());
  EXPECT_EQ(sessions_.size(), 0u);
  EXPECT_EQ(pull_.ConnectedCount(), 0);
}

TEST_F(PullHostsTest, HealthBeforeAnyReportIsAFailedPrecondition) {
  absl::Status s = pull_.Health("web-1", Samples(12.5, "refused"));
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(),
            "host web-1 has no pull session: PUT /v1/hosts/web-1/actual first "
            "(and again after 1m of silence)");
  EXPECT_EQ(counters_.health_reports.load(), 0u);
  EXPECT_FALSE(Latest("latency_ms").has_value());
  EXPECT_THAT(hellos_, IsEmpty());
}

TEST_F(PullHostsTest, HealthAfterAReportFillsTheWindowAndIsCounted) {
  ASSERT_TRUE(pull_.Report("web-1", MakeReport(0, {}), nullptr).ok());
  clock_.Advance(absl::Seconds(5));
  ASSERT_TRUE(pull_.Health("web-1", Samples(12.5, "connection refused")).ok());

  EXPECT_EQ(counters_.health_reports.load(), 1u);
  EXPECT_EQ(counters_.samples_refused_total(), 0u);
  std::optional<HealthWindow::Point> latency = Latest("latency_ms");
  ASSERT_TRUE(latency.has_value());
  EXPECT_TRUE(latency->ok);
  EXPECT_EQ(latency->value, 12.5);
  EXPECT_EQ(latency->at, clock_.Now());
  std::optional<HealthWindow::Point> probe = Latest("probe");
  ASSERT_TRUE(probe.has_value());
  EXPECT_FALSE(probe->ok);
  EXPECT_EQ(tracker_.LastHealth("web-1"), clock_.Now());
}

TEST_F(PullHostsTest, SamplesTheWindowRefusesAreCountedNotAnError) {
  ASSERT_TRUE(pull_.Report("web-1", MakeReport(0, {}), nullptr).ok());
  swell::v1::HealthReport report = Samples(1, "x");
  report.mutable_samples(0)->set_name("not a metric name");
  ASSERT_TRUE(pull_.Health("web-1", report).ok());
  EXPECT_EQ(counters_.health_reports.load(), 1u);
  EXPECT_EQ(counters_.samples_refused_total(), 1u);
  EXPECT_TRUE(Latest("probe").has_value());
}

TEST_F(PullHostsTest, SilenceLongerThanTheLeaseDisconnects) {
  ASSERT_TRUE(pull_.Report("web-1", MakeReport(0, {}), nullptr).ok());
  clock_.Advance(kLease);
  pull_.ExpireSilent();
  // Exactly the lease is not longer than it.
  EXPECT_TRUE(tracker_.Connected("web-1"));
  EXPECT_THAT(gone_, IsEmpty());

  clock_.Advance(absl::Seconds(1));
  pull_.ExpireSilent();
  EXPECT_FALSE(tracker_.Connected("web-1"));
  EXPECT_THAT(gone_, ElementsAre("web-1"));
  EXPECT_EQ(pull_.ConnectedCount(), 0);
  EXPECT_EQ(sessions_.size(), 0u);
  EXPECT_EQ(pull_.Health("web-1", Samples(1, "x")).code(),
            absl::StatusCode::kFailedPrecondition);

  // Its next report is a hello again.
  ASSERT_TRUE(pull_.Report("web-1", MakeReport(0, {}), nullptr).ok());
  EXPECT_EQ(hellos_.size(), 2u);
  EXPECT_TRUE(tracker_.Connected("web-1"));
}

TEST_F(PullHostsTest, AskingForItsDesiredStateOrSendingHealthKeepsAHostAlive) {
  ASSERT_TRUE(pull_.Report("web-1", MakeReport(0, {}), nullptr).ok());
  clock_.Advance(absl::Seconds(50));
  pull_.Heard("web-1");
  EXPECT_EQ(tracker_.LastHeard("web-1"), clock_.Now());
  clock_.Advance(absl::Seconds(50));
  ASSERT_TRUE(pull_.Health("web-1", Samples(1, "x")).ok());
  clock_.Advance(absl::Seconds(50));
  pull_.ExpireSilent();
  EXPECT_TRUE(tracker_.Connected("web-1"));
  EXPECT_THAT(gone_, IsEmpty());

  // The same silence after the last contact ends it.
  clock_.Advance(absl::Seconds(11));
  pull_.ExpireSilent();
  EXPECT_FALSE(tracker_.Connected("web-1"));
  EXPECT_THAT(gone_, ElementsAre("web-1"));
}

TEST_F(PullHostsTest, HeardFromAHostWithoutASessionOpensNone) {
  pull_.Heard("web-1");
  EXPECT_EQ(pull_.ConnectedCount(), 0);
  EXPECT_FALSE(tracker_.Connected("web-1"));
  EXPECT_THAT(hellos_, IsEmpty());
}

TEST_F(PullHostsTest, RevocationEndsTheSessionAndRefusesItsReports) {
  ASSERT_TRUE(pull_.Report("web-1", MakeReport(0, {}), nullptr).ok());
  ASSERT_TRUE(pull_.Report("web-2", MakeReport(0, {}), nullptr).ok());
  sessions_.SetRevoked({{"web-1", "key leaked"}});

  absl::Status s = pull_.Report("web-1", MakeReport(0, {}), nullptr);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(s.message(), "host web-1 is revoked: key leaked");
  EXPECT_FALSE(tracker_.Connected("web-1"));
  EXPECT_THAT(gone_, ElementsAre("web-1"));
  EXPECT_EQ(pull_.Health("web-1", Samples(1, "x")).code(),
            absl::StatusCode::kFailedPrecondition);

  // It stays refused, and says no new hello.
  s = pull_.Report("web-1", MakeReport(0, {}), nullptr);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(s.message(), "host web-1 is revoked: key leaked");
  EXPECT_EQ(hellos_.size(), 2u);
  // The other host is not disturbed.
  absl::Status other = pull_.Report("web-2", MakeReport(0, {}), nullptr);
  EXPECT_TRUE(other.ok()) << other;
  EXPECT_TRUE(tracker_.Connected("web-2"));
  EXPECT_EQ(pull_.ConnectedCount(), 1);
}

TEST_F(PullHostsTest, TheSweepEndsARevokedSessionBeforeItsLease) {
  ASSERT_TRUE(pull_.Report("web-1", MakeReport(0, {}), nullptr).ok());
  sessions_.SetRevoked({{"web-1", "key leaked"}});
  pull_.ExpireSilent();
  EXPECT_FALSE(tracker_.Connected("web-1"));
  EXPECT_THAT(gone_, ElementsAre("web-1"));
  EXPECT_EQ(pull_.ConnectedCount(), 0);
  EXPECT_EQ(sessions_.size(), 0u);
}

TEST_F(PullHostsTest, ARevokedHostsFirstReportIsRefusedWithNothingRecorded) {
  sessions_.SetRevoked({{"web-1", "decommissioned"}});
  absl::Status s = pull_.Report(
      "web-1", MakeReport(2, {Var("motd", Present("x"))}), nullptr);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(s.message(), "host web-1 is revoked: decommissioned");
  EXPECT_THAT(hellos_, IsEmpty());
  EXPECT_FALSE(tracker_.Connected("web-1"));
  EXPECT_FALSE(tracker_.Actual("web-1", "motd").has_value());
  EXPECT_FALSE(tracker_.LastApply("web-1", "motd").has_value());
  EXPECT_EQ(sessions_.size(), 0u);
  EXPECT_EQ(pull_.ConnectedCount(), 0);

  // Witness: the same report of a host not revoked records all of that.
  ASSERT_TRUE(
      pull_.Report("web-2", MakeReport(2, {Var("motd", Present("x"))}), nullptr)
          .ok());
  EXPECT_EQ(hellos_.size(), 1u);
  EXPECT_TRUE(tracker_.Actual("web-2", "motd").has_value());
  EXPECT_TRUE(tracker_.LastApply("web-2", "motd").has_value());
}

TEST_F(PullHostsTest, ARealAgentSupersedesThePullSessionUntilItLeaves) {
  ASSERT_TRUE(pull_.Report("web-1", MakeReport(0, {}), nullptr).ok());
  FakeAgentStream agent;
  AgentConnects("web-1", &agent);

  // The agent reports for the host now: the pull client is told so, and
  // the agent's stream is not disturbed.
  absl::Status s = pull_.Report("web-1", MakeReport(0, {}), nullptr);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), "swell-agent now serves this host; it reports for it");
  EXPECT_FALSE(agent.superseded);
  EXPECT_TRUE(agent.ended.ok());
  EXPECT_EQ(hellos_.size(), 1u);
  // The pull session is over; the agent's stream is still counted.
  EXPECT_THAT(gone_, ElementsAre("web-1"));
  EXPECT_EQ(pull_.ConnectedCount(), 0);
  EXPECT_TRUE(tracker_.Connected("web-1"));
  EXPECT_EQ(sessions_.size(), 1u);
  // And it stays so while the agent is there.
  EXPECT_EQ(pull_.Report("web-1", MakeReport(0, {}), nullptr).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(agent.superseded);
  EXPECT_EQ(hellos_.size(), 1u);

  // Once the agent is gone, the next report is a fresh hello.
  AgentLeaves("web-1", &agent);
  EXPECT_FALSE(tracker_.Connected("web-1"));
  ASSERT_TRUE(pull_.Report("web-1", MakeReport(0, {}), nullptr).ok());
  ASSERT_EQ(hellos_.size(), 2u);
  EXPECT_EQ(hellos_[1].agent_version(), "pull");
  EXPECT_TRUE(tracker_.Connected("web-1"));
  EXPECT_EQ(pull_.ConnectedCount(), 1);
  EXPECT_EQ(sessions_.size(), 1u);
}

TEST_F(PullHostsTest, TheSweepDropsASupersededSessionButNotTheAgent) {
  ASSERT_TRUE(pull_.Report("web-1", MakeReport(0, {}), nullptr).ok());
  FakeAgentStream agent;
  AgentConnects("web-1", &agent);
  pull_.ExpireSilent();

  EXPECT_EQ(pull_.ConnectedCount(), 0);
  EXPECT_THAT(gone_, ElementsAre("web-1"));
  // The agent's stream stays registered and connected.
  EXPECT_TRUE(tracker_.Connected("web-1"));
  EXPECT_EQ(sessions_.size(), 1u);
  EXPECT_FALSE(agent.superseded);
  AgentLeaves("web-1", &agent);
  EXPECT_FALSE(tracker_.Connected("web-1"));
}

TEST_F(PullHostsTest, AHostServedByAnAgentCannotOpenAPullSession) {
  FakeAgentStream agent;
  AgentConnects("web-1", &agent);
  absl::Status s = pull_.Report(
      "web-1", MakeReport(1, {Var("motd", Present("pull"))}), nullptr);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(agent.superseded);
  EXPECT_THAT(hellos_, IsEmpty());
  EXPECT_FALSE(tracker_.LastApply("web-1", "motd").has_value());
  EXPECT_EQ(pull_.ConnectedCount(), 0);
  AgentLeaves("web-1", &agent);
  EXPECT_FALSE(tracker_.Connected("web-1"));
}

TEST_F(PullHostsTest, DestroyingEndsEverySession) {
  {
    PullHosts pull(
        &sessions_, &tracker_, &health_,
        AgentEvents{
            .hello = [](const swell::v1::Hello&) {},
            .wake = [] {},
            .gone = [this](const std::string& h) { gone_.push_back(h); }},
        &clock_, &counters_,
        PullHosts::Options{.lease = kLease, .sweep = absl::ZeroDuration()});
    ASSERT_TRUE(pull.Report("web-1", MakeReport(0, {}), nullptr).ok());
    ASSERT_TRUE(pull.Report("web-2", MakeReport(0, {}), nullptr).ok());
    EXPECT_EQ(sessions_.size(), 2u);
  }
  EXPECT_EQ(sessions_.size(), 0u);
  EXPECT_FALSE(tracker_.Connected("web-1"));
  EXPECT_FALSE(tracker_.Connected("web-2"));
  EXPECT_THAT(gone_, ElementsAre("web-1", "web-2"));
}

}  // namespace
}  // namespace swell::controller
