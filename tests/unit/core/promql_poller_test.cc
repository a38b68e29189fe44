// The PromQL poller against a canned Prometheus on loopback: what it sends,
// what it keeps, and when it asks again.

#include "controller/service/promql_poller.h"

#include <string>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/agent/http_test_server.h"

namespace swell::controller {
namespace {

using ::swell::agent::testing::CannedHttpServer;
using ::testing::HasSubstr;

std::string Vector(const std::string& value) {
  const std::string body =
      R"({"status":"success","data":{"resultType":"vector","result":[)"
      R"({"metric":{"host":"h1"},"value":[1700000000,")" +
      value + R"("]}]}})";
  return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
         "Content-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

PromqlTarget Target(const std::string& url, const std::string& query) {
  PromqlTarget t;
  t.key = "r-1/errors";
  t.url = url;
  t.query = query;
  t.interval = absl::Hours(1);
  return t;
}

TEST(AskPrometheusTest, PostsTheQueryAsAFormAndReadsTheVector) {
  CannedHttpServer server({Vector("0.5")});
  PromqlReading r =
      AskPrometheus(Target(server.url(""), "sum(errors{host=~\"a|b\"})"),
                    common::RealClock::Get());
  EXPECT_EQ(r.error, "");
  ASSERT_EQ(r.series.size(), 1u);
  EXPECT_EQ(r.series[0].labels, "{host=\"h1\"}");
  EXPECT_EQ(r.series[0].value, 0.5);
  EXPECT_EQ(r.query, "sum(errors{host=~\"a|b\"})");
  EXPECT_NE(r.at, absl::InfinitePast());
  ASSERT_EQ(server.requests().size(), 1u);
  const std::string request = server.requests()[0];
  EXPECT_EQ(request.rfind("POST /api/v1/query HTTP/1.1\r\n", 0), 0u) << request;
  EXPECT_THAT(
      request,
      HasSubstr("\r\n\r\nquery=sum%28errors%7Bhost%3D~%22a%7Cb%22%7D%29"));
}

TEST(AskPrometheusTest, KeepsAPathPrefix) {
  CannedHttpServer server({Vector("1")});
  PromqlReading r = AskPrometheus(Target(server.url("/prom/"), "up"),
                                  common::RealClock::Get());
  EXPECT_EQ(r.error, "");
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].rfind("POST /prom/api/v1/query ", 0), 0u);
}

TEST(AskPrometheusTest, AnUnreachableServerIsAnErrorReading) {
  int port;
  {
    CannedHttpServer closed({});
    port = closed.port();
  }  // closed: nothing listens there now
  PromqlReading r =
      AskPrometheus(Target("http://127.0.0.1:" + std::to_string(port), "up"),
                    common::RealClock::Get());
  EXPECT_THAT(r.error, HasSubstr("no answer: connect:"));
  EXPECT_TRUE(r.series.empty());
  EXPECT_NE(r.at, absl::InfinitePast());
}

TEST(AskPrometheusTest, NeverSendsABearerTokenOverPlainHttp) {
  CannedHttpServer server({Vector("1")});
  PromqlTarget t = Target(server.url(""), "up");
  t.bearer_token_file = "/etc/swell/prometheus.token";
  PromqlReading r = AskPrometheus(t, common::RealClock::Get());
  EXPECT_EQ(r.error,
            "bearer_token_file /etc/swell/prometheus.token: not sent to an "
            "http:// server");
  EXPECT_TRUE(server.requests().empty());
}

TEST(AskPrometheusTest, AnUnreadableTokenFileIsAnErrorReadingNamingIt) {
  PromqlTarget t = Target("https://127.0.0.1:1", "up");
  t.bearer_token_file = "/nonexistent/prometheus.token";
  PromqlReading r = AskPrometheus(t, common::RealClock::Get());
  EXPECT_THAT(r.error, HasSubstr("bearer_token_file "
                                 "/nonexistent/prometheus.token: cannot be "
                                 "read: No such file"));
  EXPECT_TRUE(r.series.empty());
  EXPECT_NE(r.at, absl::InfinitePast());
}

// Polls `readings` until `key` holds an answer to `query`, for 10 s.
std::optional<PromqlReading> WaitFor(const PromqlReadings& readings,
                                     const std::string& key,
                                     const std::string& query) {
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (absl::Now() < deadline) {
    std::optional<PromqlReading> r = readings.Latest(key);
    if (r && r->query == query) return r;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return std::nullopt;
}

TEST(PromqlPollerTest, AsksEachTargetAndAsksAgainAtOnceWhenItsQueryChanges) {
  CannedHttpServer server({Vector("0.1"), Vector("0.2")});
  PromqlReadings readings;
  PromqlPoller poller(&readings, &common::RealClock::Get());
  poller.Start();
  poller.SetTargets({Target(server.url(""), "q1")});
  std::optional<PromqlReading> first = WaitFor(readings, "r-1/errors", "q1");
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->series.at(0).value, 0.1);
  // The same targets again: not asked again before the hour is up.
  poller.SetTargets({Target(server.url(""), "q1")});
  // A new wave changes the query: asked at once, not in an hour.
  poller.SetTargets({Target(server.url(""), "q2")});
  std::optional<PromqlReading> second = WaitFor(readings, "r-1/errors", "q2");
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->series.at(0).value, 0.2);
  EXPECT_EQ(poller.stats().queries.load(), 2u);
  // No targets: the readings go.
  poller.SetTargets({});
  EXPECT_FALSE(readings.Latest("r-1/errors").has_value());
  poller.Stop();
  ASSERT_EQ(server.requests().size(), 2u);
  EXPECT_THAT(server.requests()[0], HasSubstr("query=q1"));
  EXPECT_THAT(server.requests()[1], HasSubstr("query=q2"));
}

}  // namespace
}  // namespace swell::controller
