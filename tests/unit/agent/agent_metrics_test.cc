#include "agent/agent_metrics.h"

#include <unistd.h>

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/http_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/exposer.h"
#include "tests/fakes/fake_clock.h"
#include "tests/support/fixture_util.h"

namespace swell::agent {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

swell::v1::Sample Good(const std::string& name, double value) {
  swell::v1::Sample s;
  s.set_name(name);
  s.set_ok(true);
  s.set_value(value);
  return s;
}

swell::v1::Sample Failed(const std::string& name) {
  swell::v1::Sample s;
  s.set_name(name);
  s.set_ok(false);
  s.set_value(7);  // a source's leftover: must never be shown
  s.set_error("connection refused");
  return s;
}

class AgentMetricsTest : public ::testing::Test {
 protected:
  AgentMetrics::Options Options() {
    AgentMetrics::Options options;
    options.host_id = "h1";
    options.stale_after = absl::Minutes(1);
    options.generation = [this] { return generation_.load(); };
    options.connected = [this] { return connected_.load(); };
    options.clock = &clock_;
    return options;
  }

  // The gauge of `family` whose "sample" label is `sample` (for families
  // without one, the first), checked to carry host="h1"; nullopt when
  // absent.
  std::optional<double> Value(const std::string& family,
                              const std::string& sample = "") {
    for (const prometheus::MetricFamily& f : metrics_.Collect()) {
      if (f.name != family) continue;
      EXPECT_EQ(f.type, prometheus::MetricType::Gauge);
      for (const prometheus::ClientMetric& m : f.metric) {
        std::string host, name;
        for (const prometheus::ClientMetric::Label& l : m.label) {
          if (l.name == "host") host = l.value;
          if (l.name == "sample") name = l.value;
        }
        EXPECT_EQ(host, "h1");
        if (name == sample) return m.gauge.value;
      }
      return std::nullopt;
    }
    ADD_FAILURE() << "no family " << family;
    return std::nullopt;
  }

  std::atomic<int64_t> generation_{0};
  std::atomic<bool> connected_{false};
  swell::testing::FakeClock clock_;
  AgentMetrics metrics_{Options()};
};

TEST_F(AgentMetricsTest, NoSampleRecordedMeansNoSampleSeries) {
  EXPECT_EQ(Value("swell_health_sample", "answer"), std::nullopt);
  EXPECT_EQ(Value("swell_health_sample_ok", "answer"), std::nullopt);
}

TEST_F(AgentMetricsTest, GoodSampleShowsItsValueAndOkOne) {
  metrics_.Record({Good("answer", 42), Good("load1", 0.25)});
  EXPECT_EQ(Value("swell_health_sample", "answer"), 42.0);
  EXPECT_EQ(Value("swell_health_sample_ok", "answer"), 1.0);
  EXPECT_EQ(Value("swell_health_sample", "load1"), 0.25);
}

TEST_F(AgentMetricsTest, FailedCollectionHidesTheLastGoodValue) {
  metrics_.Record({Good("answer", 42)});
  metrics_.Record({Failed("answer")});
  EXPECT_EQ(Value("swell_health_sample", "answer"), std::nullopt);
  EXPECT_EQ(Value("swell_health_sample_ok", "answer"), 0.0);
}

TEST_F(AgentMetricsTest, NeverSucceededSampleHasOnlyItsOkFlag) {
  metrics_.Record({Failed("broken")});
  EXPECT_EQ(Value("swell_health_sample", "broken"), std::nullopt);
  EXPECT_EQ(Value("swell_health_sample_ok", "broken"), 0.0);
}

TEST_F(AgentMetricsTest, RecoveryShowsTheNewValue) {
  metrics_.Record({Good("answer", 1)});
  metrics_.Record({Failed("answer")});
  metrics_.Record({Good("answer", 3)});
  EXPECT_EQ(Value("swell_health_sample", "answer"), 3.0);
  EXPECT_EQ(Value("swell_health_sample_ok", "answer"), 1.0);
}

TEST_F(AgentMetricsTest, LaterEntryOfOneNameInABatchWins) {
  metrics_.Record({Good("answer", 1), Failed("answer")});
  EXPECT_EQ(Value("swell_health_sample", "answer"), std::nullopt);
  EXPECT_EQ(Value("swell_health_sample_ok", "answer"), 0.0);
}

TEST_F(AgentMetricsTest, SampleNoLongerReportedDisappearsAfterStaleAfter) {
  metrics_.Record({Good("docker_up", 1), Good("answer", 42)});
  clock_.Advance(absl::Seconds(40));
  metrics_.Record({Good("answer", 43)});
  clock_.Advance(absl::Seconds(30));
  EXPECT_EQ(Value("swell_health_sample", "docker_up"), std::nullopt);
  EXPECT_EQ(Value("swell_health_sample_ok", "docker_up"), std::nullopt);
  EXPECT_EQ(Value("swell_health_sample", "answer"), 43.0);
}

TEST_F(AgentMetricsTest, GenerationAndConnectionAreReadAtCollectTime) {
  EXPECT_EQ(Value("swell_agent_desired_generation"), 0.0);
  EXPECT_EQ(Value("swell_agent_controller_connected"), 0.0);
  generation_ = 12;
  connected_ = true;
  EXPECT_EQ(Value("swell_agent_desired_generation"), 12.0);
  EXPECT_EQ(Value("swell_agent_controller_connected"), 1.0);
}

TEST(ServeMetricsTest, ServesTheTextFormatOverHttp) {
  AgentMetrics::Options options;
  options.host_id = "h1";
  options.generation = [] { return int64_t{5}; };
  options.connected = [] { return true; };
  options.failed_attempts = [] { return uint64_t{3}; };
  auto metrics = std::make_shared<AgentMetrics>(options);
  metrics->Record({Good("answer", 42), Failed("broken")});

  absl::StatusOr<std::unique_ptr<prometheus::Exposer>> exposer =
      ServeMetrics("127.0.0.1:0", metrics);
  ASSERT_TRUE(exposer.ok()) << exposer.status();
  std::vector<int> ports = (*exposer)->GetListeningPorts();
  ASSERT_EQ(ports.size(), 1u);
  absl::StatusOr<common::HttpUrl> url = common::ParseLoopbackUrl(
      absl::StrCat("http://127.0.0.1:", ports[0], "/metrics"));
  ASSERT_TRUE(url.ok()) << url.status();
  absl::StatusOr<common::HttpResponse> response =
      common::HttpGet(*url, absl::Seconds(10));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  const std::string& body = response->body;
  EXPECT_THAT(body,
              HasSubstr("\nswell_health_sample{host=\"h1\",sample=\"answer\"} "
                        "42\n"));
  EXPECT_THAT(body, HasSubstr("\nswell_health_sample_ok{host=\"h1\",sample="
                              "\"broken\"} 0\n"));
  EXPECT_THAT(body, Not(HasSubstr("swell_health_sample{host=\"h1\",sample="
                                  "\"broken\"}")));
  EXPECT_THAT(body,
              HasSubstr("\nswell_agent_desired_generation{host=\"h1\"} 5\n"));
  EXPECT_THAT(body,
              HasSubstr("\nswell_agent_controller_connected{host=\"h1\"} 1\n"));
  EXPECT_THAT(body, HasSubstr("\nswell_agent_controller_failed_attempts_total{"
                              "host=\"h1\"} 3\n"));
}

TEST(ServeMetricsTest, AnAddressInUseIsUnavailableNotACrash) {
  test_support::LoopbackListener in_use;
  ASSERT_TRUE(in_use.ok());
  const std::string taken = in_use.address();

  AgentMetrics::Options options;
  options.generation = [] { return int64_t{0}; };
  options.connected = [] { return false; };
  auto metrics = std::make_shared<AgentMetrics>(options);
  absl::StatusOr<std::unique_ptr<prometheus::Exposer>> exposer =
      ServeMetrics(taken, metrics);
  ASSERT_FALSE(exposer.ok());
  EXPECT_EQ(exposer.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(exposer.status().message(), HasSubstr(taken));
}

}  // namespace
}  // namespace swell::agent
