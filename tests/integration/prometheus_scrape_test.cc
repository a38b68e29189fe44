// A real Prometheus server scraping the real swell-agent's /metrics.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/http_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/fixture_util.h"
#include "tests/support/throwaway_prometheus.h"

extern char** environ;

namespace swell::test_support {
namespace {

using ::testing::IsEmpty;

constexpr absl::Duration kDeadline = absl::Seconds(60);

// The swell-agent built alongside this test (see CMakeLists.txt).
std::string AgentBinary() {
  if (const char* build = std::getenv("SWELL_BUILD_DIR"); build != nullptr) {
    return absl::StrCat(build, "/agent/swell-agent");
  }
  return SWELL_AGENT_BINARY;
}

// A port on 127.0.0.1 that nothing listened on a moment ago.
int ClosedLoopbackPort() {
  absl::StatusOr<int> port = FreeLoopbackPort();
  EXPECT_TRUE(port.ok()) << port.status();
  return port.value_or(1);
}

class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string templ =
        absl::StrCat(base != nullptr ? base : "/tmp", "/swell-scrape-XXXXXX");
    path_ = mkdtemp(templ.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The real swell-agent, its output in `log`; SIGTERM, then SIGKILL, when
// destroyed.
class AgentProcess {
 public:
  AgentProcess(std::vector<std::string> args, const std::string& log)
      : log_(log) {
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) !=
        0) {
      pid_ = 0;
    }
    posix_spawn_file_actions_destroy(&actions);
  }
  ~AgentProcess() { Stop(); }

  bool started() const { return pid_ > 0 || wait_status_.has_value(); }
  bool Exited() {
    int status = 0;
    if (pid_ > 0 && waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = 0;
      wait_status_ = status;
    }
    return pid_ == 0;
  }
  // Its exit code once it exited by itself; -1 otherwise.
  int exit_code() const {
    return wait_status_.has_value() && WIFEXITED(*wait_status_)
               ? WEXITSTATUS(*wait_status_)
               : -1;
  }
  // True when it exited within 10 s of SIGTERM.
  bool Stop() {
    if (pid_ <= 0) return true;
    kill(pid_, SIGTERM);
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (!Exited() && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(20));
    }
    if (pid_ == 0) return true;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = 0;
    return false;
  }
  std::string Log() const { return ReadFileOrEmpty(log_); }

 private:
  std::string log_;
  pid_t pid_ = 0;
  std::optional<int> wait_status_;
};

// One series of an instant query's vector result.
struct Series {
  std::map<std::string, std::string> labels;
  std::string value;  // as Prometheus wrote it: "42", "0", "NaN"
};

// The series of a /api/v1/query response of resultType "vector", or
// nullopt when `json` is not a successful one. Good enough for the plain
// label values of this test (no escaped quotes or braces); the controller
// has the real parser.
std::optional<std::vector<Series>> ParseVector(const std::string& json) {
  if (json.find(R"("status":"success")") == std::string::npos ||
      json.find(R"("resultType":"vector")") == std::string::npos) {
    return std::nullopt;
  }
  static const std::regex kSeries(
      R"re(\{"metric":\{([^{}]*)\},"value":\[[-0-9.e+]+,"([^"]*)"\]\})re");
  static const std::regex kLabel(R"re("([^"]+)":"([^"]*)")re");
  std::vector<Series> out;
  for (auto it = std::sregex_iterator(json.begin(), json.end(), kSeries);
       it != std::sregex_iterator(); ++it) {
    Series s;
    s.value = (*it)[2];
    const std::string labels = (*it)[1];
    for (auto l = std::sregex_iterator(labels.begin(), labels.end(), kLabel);
         l != std::sregex_iterator(); ++l) {
      s.labels[(*l)[1]] = (*l)[2];
    }
    out.push_back(std::move(s));
  }
  return out;
}

// Polls `promql` until it returns at least one series, or kDeadline passes;
// the last result either way.
std::vector<Series> AwaitSeries(const ThrowawayPrometheus& prometheus,
                                const std::string& promql) {
  const absl::Time deadline = absl::Now() + kDeadline;
  std::string last;
  while (absl::Now() < deadline) {
    absl::StatusOr<std::string> body = prometheus.Query(promql);
    last = body.ok() ? *body : body.status().ToString();
    if (std::optional<std::vector<Series>> series = ParseVector(last);
        series.has_value() && !series->empty()) {
      return *series;
    }
    absl::SleepFor(absl::Milliseconds(200));
  }
  ADD_FAILURE() << promql << ": no series within "
                << absl::FormatDuration(kDeadline) << "; last answer: " << last;
  return {};
}

TEST(PrometheusScrapeTest, AgentSamplesReachPrometheusAndFailuresShowNoValue) {
  TempDir dir;
  const std::string metrics_address =
      absl::StrCat("127.0.0.1:", ClosedLoopbackPort());
  AgentProcess agent(
      {AgentBinary(), "--insecure",
       absl::StrCat("--controller=127.0.0.1:", ClosedLoopbackPort()),
       "--host-id=h1", absl::StrCat("--root=", dir.path(), "/host"),
       absl::StrCat("--metrics-listen=", metrics_address),
       "--check=answer=echo 42", "--check=broken=false", "--check-interval=1s"},
      dir.path() + "/agent.log");
  ASSERT_TRUE(agent.started());

  absl::StatusOr<common::HttpUrl> metrics_url = common::ParseLoopbackUrl(
      absl::StrCat("http://", metrics_address, "/metrics"));
  ASSERT_TRUE(metrics_url.ok()) << metrics_url.status();
  const absl::Time deadline = absl::Now() + kDeadline;
  bool serving = false;
  while (!serving && !agent.Exited() && absl::Now() < deadline) {
    absl::StatusOr<common::HttpResponse> r =
        common::HttpGet(*metrics_url, absl::Seconds(2));
    serving = r.ok() && r->status == 200;
    if (!serving) absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_TRUE(serving) << "agent log:\n" << agent.Log();

  ThrowawayPrometheus prometheus;
  const absl::Time start = absl::Now();
  absl::Status started =
      prometheus.Start({{metrics_address, {{"fixture", "scrape-test"}}}});
  ASSERT_TRUE(started.ok()) << started;
  ::testing::Test::RecordProperty(
      "prometheus_ready_ms",
      static_cast<int>(absl::ToInt64Milliseconds(absl::Now() - start)));

  std::vector<Series> answer =
      AwaitSeries(prometheus, R"(swell_health_sample{sample="answer"})");
  ASSERT_EQ(answer.size(), 1u) << "agent log:\n" << agent.Log();
  EXPECT_EQ(answer[0].value, "42");
  EXPECT_EQ(answer[0].labels["host"], "h1");
  EXPECT_EQ(answer[0].labels["job"], "swell");
  EXPECT_EQ(answer[0].labels["instance"], metrics_address);
  EXPECT_EQ(answer[0].labels["fixture"], "scrape-test");

  std::vector<Series> answer_ok =
      AwaitSeries(prometheus, R"(swell_health_sample_ok{sample="answer"})");
  ASSERT_EQ(answer_ok.size(), 1u);
  EXPECT_EQ(answer_ok[0].value, "1");

  std::vector<Series> broken_ok =
      AwaitSeries(prometheus, R"(swell_health_sample_ok{sample="broken"})");
  ASSERT_EQ(broken_ok.size(), 1u);
  EXPECT_EQ(broken_ok[0].value, "0");
  EXPECT_EQ(broken_ok[0].labels["host"], "h1");
  // Every scrape so far carried the failed check without a value.
  absl::StatusOr<std::string> broken = prometheus.Query(
      R"(count_over_time(swell_health_sample{sample="broken"}[10m]))");
  ASSERT_TRUE(broken.ok()) << broken.status();
  std::optional<std::vector<Series>> broken_series = ParseVector(*broken);
  ASSERT_TRUE(broken_series.has_value()) << *broken;
  EXPECT_THAT(*broken_series, IsEmpty()) << *broken;

  std::vector<Series> connected =
      AwaitSeries(prometheus, R"(swell_agent_controller_connected{host="h1"})");
  ASSERT_EQ(connected.size(), 1u);
  EXPECT_EQ(connected[0].value, "0");
  std::vector<Series> generation =
      AwaitSeries(prometheus, R"(swell_agent_desired_generation{host="h1"})");
  ASSERT_EQ(generation.size(), 1u);
  EXPECT_EQ(generation[0].value, "0");

  EXPECT_TRUE(agent.Stop()) << "agent ignored SIGTERM";
  EXPECT_TRUE(prometheus.Stop().ok());
}

TEST(PrometheusScrapeTest, AgentRefusesAMetricsAddressInUse) {
  TempDir dir;
  LoopbackListener in_use;
  ASSERT_TRUE(in_use.ok());

  AgentProcess agent(
      {AgentBinary(), "--insecure",
       absl::StrCat("--controller=127.0.0.1:", ClosedLoopbackPort()),
       "--host-id=h1", absl::StrCat("--root=", dir.path(), "/host"),
       "--metrics-listen=" + in_use.address()},
      dir.path() + "/agent.log");
  ASSERT_TRUE(agent.started());
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (!agent.Exited() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_TRUE(agent.Exited()) << "agent kept running:\n" << agent.Log();
  EXPECT_EQ(agent.exit_code(), 1) << agent.Log();
}

}  // namespace
}  // namespace swell::test_support
