#include <sys/stat.h>

#include <atomic>
#include <map>
#include <string>
#include <vector>

#include "agent/collectors/collector_spec.h"
#include "agent/collectors/http_probe.h"
#include "agent/collectors/prometheus_collector.h"
#include "agent/collectors/systemd_collector.h"
#include "gtest/gtest.h"
#include "tests/unit/agent/http_test_server.h"
#include "tests/unit/agent/test_util.h"

namespace swell::agent {
namespace {

using testing::CannedHttpServer;
using testing::TempDir;
using testing::WriteFile;

std::string Ok(const std::string& body) {
  return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

CollectorSpec PromSpec(const CannedHttpServer& server, bool rate) {
  CollectorSpec spec;
  spec.name = rate ? "requests_per_s" : "idle";
  spec.kind = CollectorKind::kPrometheus;
  spec.url_text = server.url("/metrics");
  spec.url = *common::ParseLoopbackUrl(spec.url_text);
  spec.selector.metric = rate ? "http_requests_total" : "cpu";
  if (!rate) spec.selector.labels = {{"mode", "idle"}};
  spec.rate = rate;
  return spec;
}

TEST(RateTrackerTest, FirstReadingGivesNoRateThenPerSecondIncrease) {
  RateTracker rate;
  absl::Time t0 = absl::FromUnixSeconds(1000);
  EXPECT_FALSE(rate.Update(100, t0).has_value());
  std::optional<double> r = rate.Update(130, t0 + absl::Seconds(10));
  ASSERT_TRUE(r.has_value());
  EXPECT_DOUBLE_EQ(*r, 3.0);
}

TEST(RateTrackerTest, ACounterResetRebaselinesWithoutARate) {
  RateTracker rate;
  absl::Time t0 = absl::FromUnixSeconds(1000);
  rate.Update(500, t0);
  EXPECT_FALSE(rate.Update(20, t0 + absl::Seconds(5)).has_value());
  std::optional<double> r = rate.Update(40, t0 + absl::Seconds(15));
  ASSERT_TRUE(r.has_value());
  EXPECT_DOUBLE_EQ(*r, 2.0);
}

TEST(RateTrackerTest, NoTimePassedGivesNoRate) {
  RateTracker rate;
  absl::Time t0 = absl::FromUnixSeconds(1000);
  rate.Update(1, t0);
  EXPECT_FALSE(rate.Update(2, t0).has_value());
}

TEST(PrometheusCollectorTest, ReportsTheSumOfMatchingSeries) {
  CannedHttpServer server(
      {Ok("# TYPE cpu counter\n"
          "cpu{cpu=\"0\",mode=\"idle\"} 1.5\n"
          "cpu{cpu=\"1\",mode=\"idle\"} 2\n"
          "cpu{cpu=\"0\",mode=\"user\"} 9\n")});
  PrometheusCollector collector(PromSpec(server, false));
  std::atomic<bool> cancel{false};
  std::vector<swell::v1::Sample> samples = collector.Collect(cancel);
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].name(), "idle");
  EXPECT_TRUE(samples[0].ok()) << samples[0].error();
  EXPECT_DOUBLE_EQ(samples[0].value(), 3.5);
  EXPECT_GT(samples[0].unix_ms(), 0);
}

TEST(PrometheusCollectorTest, RateReportsNothingFirstThenARate) {
  CannedHttpServer server({Ok("http_requests_total{code=\"200\"} 100\n"),
                           Ok("http_requests_total{code=\"200\"} 1e9\n")});
  PrometheusCollector collector(PromSpec(server, true));
  std::atomic<bool> cancel{false};
  EXPECT_TRUE(collector.Collect(cancel).empty());
  std::vector<swell::v1::Sample> samples = collector.Collect(cancel);
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].name(), "requests_per_s");
  EXPECT_TRUE(samples[0].ok()) << samples[0].error();
  EXPECT_GT(samples[0].value(), 0);
}

TEST(PrometheusCollectorTest, FailuresAreReportedNotValued) {
  CannedHttpServer server(
      {"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n",
       Ok("cpu{mode=\"user\"} 1\n"), Ok("cpu{mode=\"idle\"} NaN\n"),
       Ok("cpu{mode=\"idle\" 1\n")});
  PrometheusCollector collector(PromSpec(server, false));
  std::atomic<bool> cancel{false};
  for (const char* why : {"status 500", "no series", "nan", "line 1"}) {
    std::vector<swell::v1::Sample> samples = collector.Collect(cancel);
    ASSERT_EQ(samples.size(), 1u) << why;
    EXPECT_FALSE(samples[0].ok()) << why;
    EXPECT_EQ(samples[0].value(), 0) << why;
    EXPECT_NE(samples[0].error().find(why), std::string::npos)
        << why << " not in: " << samples[0].error();
  }
}

CollectorSpec ProbeSpec(const std::string& url) {
  CollectorSpec spec;
  spec.name = "web";
  spec.kind = CollectorKind::kHttp;
  spec.url_text = url;
  spec.url = *common::ParseLoopbackUrl(url);
  return spec;
}

TEST(HttpProbeTest, UpFor2xxAnd3xxDownOtherwiseWithLatency) {
  CannedHttpServer server(
      {Ok("fine"), "HTTP/1.1 301 Moved\r\nContent-Length: 0\r\n\r\n",
       "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"});
  HttpProbe probe(ProbeSpec(server.url("/healthz")));
  std::atomic<bool> cancel{false};
  for (double want : {1.0, 1.0, 0.0}) {
    std::vector<swell::v1::Sample> samples = probe.Collect(cancel);
    ASSERT_EQ(samples.size(), 2u);
    EXPECT_EQ(samples[0].name(), "web_up");
    EXPECT_TRUE(samples[0].ok());
    EXPECT_EQ(samples[0].value(), want);
    EXPECT_EQ(samples[1].name(), "web_latency_ms");
    EXPECT_TRUE(samples[1].ok());
    EXPECT_GE(samples[1].value(), 0);
  }
}

TEST(HttpProbeTest, NoResponseGivesFailedSamplesNotZero) {
  // Nothing listens once the server is gone.
  std::string url;
  {
    CannedHttpServer server({});
    url = server.url();
  }
  HttpProbe probe(ProbeSpec(url));
  std::atomic<bool> cancel{false};
  std::vector<swell::v1::Sample> samples = probe.Collect(cancel);
  ASSERT_EQ(samples.size(), 2u);
  for (const swell::v1::Sample& s : samples) {
    EXPECT_FALSE(s.ok()) << s.name();
    EXPECT_NE(s.error().find("connect"), std::string::npos) << s.error();
  }
}

// A stand-in systemctl: `is-active UNIT` exits with the code in
// $dir/UNIT (missing: 3), printing a state.
class SystemdCollectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(dir_ / "bin/systemctl",
              "#!/bin/sh\n"
              "[ \"$1\" = is-active ] || exit 64\n"
              "echo \"$@\" >> \"" +
                  dir_ / "calls" +
                  "\"\n"
                  "code=$(cat \"" +
                  dir_.path() +
                  "/$2\" 2>/dev/null || echo 3)\n"
                  "[ \"$code\" = hang ] && exec sleep 60\n"
                  "[ \"$code\" = 0 ] && echo active || echo inactive\n"
                  "exit $code\n");
    chmod((dir_ / "bin/systemctl").c_str(), 0755);
  }

  std::vector<swell::v1::Sample> Collect(const std::string& unit,
                                         bool with_path = true) {
    CollectorSpec spec;
    spec.name = "nginx_active";
    spec.kind = CollectorKind::kSystemd;
    spec.unit = unit;
    spec.timeout = absl::Milliseconds(500);
    std::map<std::string, std::string> env;
    // The stand-in itself needs cat and sleep.
    env["PATH"] =
        with_path ? dir_ / "bin" + ":/usr/bin:/bin" : dir_ / "nowhere";
    SystemdCollector collector(spec, env);
    std::atomic<bool> cancel{false};
    return collector.Collect(cancel);
  }

  TempDir dir_;
};

TEST_F(SystemdCollectorTest, ActiveIsOneAnythingElseZero) {
  WriteFile(dir_ / "nginx.service", "0");
  std::vector<swell::v1::Sample> up = Collect("nginx.service");
  ASSERT_EQ(up.size(), 1u);
  EXPECT_EQ(up[0].name(), "nginx_active");
  EXPECT_TRUE(up[0].ok()) << up[0].error();
  EXPECT_EQ(up[0].value(), 1);
  EXPECT_EQ(testing::ReadFileOrEmpty(dir_ / "calls"),
            "is-active nginx.service\n");

  std::vector<swell::v1::Sample> down = Collect("redis.service");
  ASSERT_EQ(down.size(), 1u);
  EXPECT_TRUE(down[0].ok()) << down[0].error();
  EXPECT_EQ(down[0].value(), 0);
}

TEST_F(SystemdCollectorTest, SystemctlMissingIsAFailure) {
  std::vector<swell::v1::Sample> s = Collect("nginx.service", false);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_FALSE(s[0].ok());
  EXPECT_NE(s[0].error().find("systemctl"), std::string::npos) << s[0].error();
}

TEST_F(SystemdCollectorTest, ATimeoutIsAFailure) {
  WriteFile(dir_ / "slow.service", "hang");
  std::vector<swell::v1::Sample> s = Collect("slow.service");
  ASSERT_EQ(s.size(), 1u);
  EXPECT_FALSE(s[0].ok());
  EXPECT_NE(s[0].error().find("timed out"), std::string::npos) << s[0].error();
}

TEST(MakeCollectorTest, BuildsTheSourceOfEachKind) {
  CollectorSpec spec;
  for (CollectorKind kind : {CollectorKind::kPrometheus, CollectorKind::kHttp,
                             CollectorKind::kSystemd}) {
    spec.kind = kind;
    EXPECT_NE(MakeCollector(spec, {}), nullptr);
  }
}

}  // namespace
}  // namespace swell::agent
