#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tests/support/throwaway_pki.h"

namespace swell::test_support {

// One scrape target: "host:port", scraped at /metrics, and labels that
// Prometheus adds to every series it scrapes from there.
struct PrometheusTarget {
  std::string address;
  std::map<std::string, std::string> labels;
};

// A Prometheus server of its own for one test: the real binary
// ($SWELL_PROMETHEUS, else /usr/bin/prometheus) on 127.0.0.1 and a free
// port, its TSDB and log (prometheus.log) in a temporary directory, with
// one job "swell" scraping the given targets every second and evaluating
// every second. Runs as whoever runs the test, root included.
//
// The server is killed if the thread that started it exits without
// stopping it (a crashed test leaves no server behind). Errors carry the
// tail of the server's log. Not thread-safe.
class ThrowawayPrometheus {
 public:
  ThrowawayPrometheus() = default;
  ThrowawayPrometheus(const ThrowawayPrometheus&) = delete;
  ThrowawayPrometheus& operator=(const ThrowawayPrometheus&) = delete;
  ~ThrowawayPrometheus();  // Stop()s, reporting a failure on stderr

  // Serve https with `certificate` (Prometheus's --web.config.file,
  // tls_server_config), and reach it, for readiness and Query, trusting
  // only `ca_file`. Call before Start.
  void ServeTls(IssuedCertificate certificate, std::string ca_file);

  // Writes prometheus.yml, starts the server and waits until GET /-/ready
  // answers 200. kFailedPrecondition when already started or the binary is
  // missing; kDeadlineExceeded when it is not ready within a minute;
  // kInternal when it exits or cannot be started.
  [[nodiscard]] absl::Status Start(
      const std::vector<PrometheusTarget>& targets);

  // POSTs `promql` to /api/v1/query (an instant query, now) and returns
  // the response's JSON body as is. kInvalidArgument with the body when
  // Prometheus refuses the query; the HTTP client's error when it cannot be
  // asked.
  [[nodiscard]] absl::StatusOr<std::string> Query(
      std::string_view promql) const;

  // SIGTERM, up to 10 s for it to exit, then SIGKILL; removes the
  // directory. Does nothing when not started.
  [[nodiscard]] absl::Status Stop();

  // "http://127.0.0.1:PORT", or https:// after ServeTls; empty when not
  // started.
  std::string url() const;
  bool running() const { return pid_ > 0; }
  int port() const { return port_; }
  const std::string& dir() const { return dir_; }
  // The server's log so far.
  std::string Log() const;

 private:
  absl::Status WriteConfig(const std::vector<PrometheusTarget>& targets) const;
  absl::Status Spawn(const std::string& binary);
  absl::Status AwaitReady();
  // `message`, then the last lines of the log.
  absl::Status WithLogTail(absl::StatusCode code, std::string_view message);

  absl::Status WriteWebConfig() const;

  std::string dir_;  // holds prometheus.yml, prometheus.log and data/
  std::optional<IssuedCertificate> tls_;
  std::string tls_ca_file_;
  int port_ = 0;
  pid_t pid_ = 0;
};

}  // namespace swell::test_support
