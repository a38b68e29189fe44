#pragma once

// The pull API (docs/pull-api.md): HTTPS and JSON for hosts enacted by a
// configuration-management system instead of swell-agent.
//
//   GET  /v1/hosts/{host}/desired   the desired state; ETag: "GENERATION",
//                                   If-None-Match gives 304, ?wait=30s
//                                   long-polls for a newer generation
//   PUT  /v1/hosts/{host}/actual    what the host enacted (PullHosts)
//   POST /v1/hosts/{host}/health    its health samples
//
// Who may call: the host's own client certificate (one DNS subjectAltName,
// its host id, from --tls_client_ca) reads and reports for that host only;
// an API token of any role (Authorization: Bearer) reads any host. In
// insecure mode (loopback only) anyone may do anything.

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "common/clock.h"
#include "common/tls.h"
#include "controller/auth/authenticator.h"
#include "controller/fleet_snapshots.h"
#include "controller/service/pull_hosts.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace swell::controller {

struct PullApiConfig {
  std::string listen;  // host:port
  // The controller's certificate and key, and the CA of hosts' client
  // certificates. Unused when insecure.
  common::TlsFiles tls;
  bool insecure = false;
  // The longest ?wait a long poll is granted.
  absl::Duration max_wait = absl::Seconds(30);
  // Long polls beyond this many at once are answered at once instead, so
  // that waiting clients never take every worker.
  int max_waiting = 48;
};

class PullApi {
 public:
  // Nothing is owned; everything must outlive this. `authenticator` may be
  // null in insecure mode.
  PullApi(PullHosts* hosts, const FleetSnapshots* snapshots,
          Authenticator* authenticator, const common::Clock* clock);
  ~PullApi();

  // Checks the TLS files (kInvalidArgument naming the flag), binds
  // (kUnavailable when the address cannot be bound) and serves on a thread
  // of its own.
  absl::Status Start(const PullApiConfig& config);
  void Stop();

  // The port bound (useful with port 0); 0 before Start.
  int port() const { return port_; }

 private:
  struct Caller;
  absl::Status Identify(const httplib::Request& req, Caller* caller) const;
  void GetDesired(const httplib::Request& req, httplib::Response& res);
  void PutActual(const httplib::Request& req, httplib::Response& res);
  void PostHealth(const httplib::Request& req, httplib::Response& res);
  // The host of the path, when the caller may act for it (`report`: report
  // for it, else read it); writes the refusal to `res` otherwise.
  // `self`: the caller is the host (its certificate; anyone when
  // insecure).
  bool Authorize(const httplib::Request& req, bool report,
                 httplib::Response& res, std::string* host, bool* self) const;
  // Counts a long poll in, unless Config::max_waiting already wait.
  bool TakeWaiter();

  PullHosts* hosts_;
  const FleetSnapshots* snapshots_;
  Authenticator* authenticator_;
  const common::Clock* clock_;
  PullApiConfig config_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::atomic<int> waiting_{0};
  int port_ = 0;
};

}  // namespace swell::controller
