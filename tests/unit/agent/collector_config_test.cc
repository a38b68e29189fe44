#include <string>

#include "agent/agent_config.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace swell::agent {
namespace {

using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

constexpr char kCollectors[] = R"(
check_interval: 10s
collectors:
  - name: idle_cpu
    kind: prometheus
    url: http://127.0.0.1:9100/metrics
    metric: node_cpu_seconds_total
    labels: {mode: idle}
    rate: true
    interval: 15s
    timeout: 2s
  - name: web
    kind: http
    url: http://localhost:8080/healthz
  - name: nginx_active
    kind: systemd
    unit: nginx.service
    interval: 1s
)";

absl::Status ParseAndMerge(const std::string& yaml) {
  absl::StatusOr<AgentConfigFile> file = ParseAgentConfigYaml(yaml);
  if (!file.ok()) return file.status();
  return MergeAgentConfig(*file, {}, "h").status();
}

TEST(CollectorConfigTest, ParsesEachKind) {
  absl::StatusOr<AgentConfigFile> file = ParseAgentConfigYaml(kCollectors);
  ASSERT_TRUE(file.ok()) << file.status();
  absl::StatusOr<AgentConfig> config = MergeAgentConfig(*file, {}, "h");
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->collectors.size(), 3u);

  const CollectorSpec& prom = config->collectors[0];
  EXPECT_EQ(prom.name, "idle_cpu");
  EXPECT_EQ(prom.kind, CollectorKind::kPrometheus);
  EXPECT_EQ(prom.url.port, 9100);
  EXPECT_EQ(prom.url.path, "/metrics");
  EXPECT_EQ(prom.selector.metric, "node_cpu_seconds_total");
  EXPECT_THAT(prom.selector.labels, UnorderedElementsAre(Pair("mode", "idle")));
  EXPECT_TRUE(prom.rate);
  EXPECT_EQ(prom.interval, absl::Seconds(15));
  EXPECT_EQ(prom.timeout, absl::Seconds(2));

  const CollectorSpec& web = config->collectors[1];
  EXPECT_EQ(web.kind, CollectorKind::kHttp);
  EXPECT_EQ(web.url.port, 8080);
  EXPECT_EQ(web.interval, absl::Seconds(10));  // the check_interval
  EXPECT_EQ(web.timeout, absl::Seconds(5));

  const CollectorSpec& unit = config->collectors[2];
  EXPECT_EQ(unit.kind, CollectorKind::kSystemd);
  EXPECT_EQ(unit.unit, "nginx.service");
  EXPECT_EQ(unit.interval, absl::Seconds(1));
}

TEST(CollectorConfigTest, NonLoopbackUrlIsRefusedNamingFieldAndLine) {
  absl::Status s = ParseAndMerge(R"(collectors:
  - name: remote
    kind: prometheus
    metric: up
    url: http://10.1.2.3:9100/metrics
)");
  EXPECT_TRUE(absl::IsInvalidArgument(s));
  EXPECT_THAT(s.message(), HasSubstr("collector 'remote': url:"));
  EXPECT_THAT(s.message(), HasSubstr("not loopback"));
  EXPECT_THAT(s.message(), HasSubstr("(line 5, column 10)"));
}

struct BadCase {
  const char* yaml;
  const char* message;
};

TEST(CollectorConfigTest, MalformedEntriesNameTheKeyAndPosition) {
  const BadCase cases[] = {
      {"collectors:\n  - name: a\n    kind: snmp\n",
       "kind must be 'prometheus', 'http' or 'systemd' (line 3, column 11)"},
      {"collectors:\n  - kind: http\n    url: http://127.0.0.1/\n",
       "a collector needs a name (line 2, column 5)"},
      {"collectors:\n  - name: a\n    kind: http\n",
       "collector 'a' needs url (line 2, column 5)"},
      {"collectors:\n  - name: a\n    kind: prometheus\n"
       "    url: http://127.0.0.1/\n",
       "collector 'a' needs metric"},
      {"collectors:\n  - name: a\n    kind: systemd\n",
       "collector 'a' needs unit"},
      {"collectors:\n  - name: a\n    kind: systemd\n    unit: nginx\n"
       "    url: http://127.0.0.1/\n",
       "key 'url' does not apply to kind systemd (line 5, column 5)"},
      {"collectors:\n  - name: a\n    kind: http\n"
       "    url: http://127.0.0.1/\n    colour: red\n",
       "unknown collector key 'colour' (line 5, column 5)"},
      {"collectors:\n  - name: a\n    kind: systemd\n    unit: x\n"
       "    interval: 500ms\n",
       "below the minimum of 1s (line 5, column 15)"},
      {"collectors:\n  - name: a\n    kind: systemd\n    unit: --all\n",
       "is not a systemd unit name (line 4, column 11)"},
      {"collectors:\n  - name: a b\n    kind: systemd\n    unit: x\n",
       "must match [a-zA-Z_:][a-zA-Z0-9_:]* (line 2, column 11)"},
      {"collectors:\n  - name: a\n    kind: prometheus\n"
       "    url: http://127.0.0.1/\n    metric: up\n    rate: maybe\n",
       "rate must be true or false (line 6, column 11)"},
      {"collectors:\n  - name: a\n    kind: systemd\n    unit: x\n"
       "  - name: a\n    kind: systemd\n    unit: y\n",
       "collector 'a' is named twice (line 5, column 5)"},
      {"collectors: {a: 1}\n", "collectors must be a list (line 1, column 13)"},
  };
  for (const BadCase& c : cases) {
    absl::Status s = ParseAndMerge(c.yaml);
    EXPECT_TRUE(absl::IsInvalidArgument(s)) << c.yaml;
    EXPECT_THAT(s.message(), HasSubstr(c.message)) << c.yaml;
  }
}

TEST(CollectorConfigTest, SampleNamesMayNotCollide) {
  absl::Status with_check = ParseAndMerge(R"(
checks:
  - name: web_up
    command: "true"
    parse: exit
collectors:
  - name: web
    kind: http
    url: http://127.0.0.1/
)");
  EXPECT_THAT(with_check.message(), HasSubstr("reports sample 'web_up'"));
  absl::Status between = ParseAndMerge(R"(
collectors:
  - name: web
    kind: http
    url: http://127.0.0.1/
  - name: web_latency_ms
    kind: systemd
    unit: web
)");
  EXPECT_THAT(between.message(), HasSubstr("reports sample 'web_latency_ms'"));
}

}  // namespace
}  // namespace swell::agent
