#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "swell/v1/rollout.pb.h"
#include "tests/e2e/child_process.h"
#include "tests/support/throwaway_pki.h"

namespace swell::e2e {

// How to start one agent beyond its host id.
struct AgentOptions {
  std::map<std::string, std::string> labels;
  // The demo app's config, written to /etc/app/app.conf unless it exists.
  std::string config = "workers = 4\n";
  // Added to the agent's environment (e.g. a PATH with stand-ins first).
  std::map<std::string, std::string> env;
  std::vector<std::string> extra_args;  // appended to its command line
  // What the host accepts, as swell-agent's --guardrail-* flags: files
  // below the app's config directory and nothing else. A test that needs
  // more says so.
  std::vector<std::string> guardrails = {"--guardrail-kinds=file",
                                         "--guardrail-file-prefix=/etc/app/"};
};

// A Swell installation on loopback for one test, secure as in production:
// the real swell-controller against a database of a throwaway PostgreSQL,
// real swell-agent processes each rooted in its own directory, and swellctl
// to drive them. A throwaway CA (openssl, in the test's directory) issues
// the controller's certificate and each host's; agents connect with mutual
// TLS, and swellctl verifies the controller and presents a token: the
// bootstrap admin token, or one of a role (CtlAs).
class Cluster {
 public:
  // `dir` is this test's scratch directory; `conninfo` its own database.
  Cluster(std::string dir, std::string conninfo);
  ~Cluster();

  // Starts (or restarts) the controller on the same port and waits until it
  // answers. `extra_args` come after the defaults, so they override them.
  absl::Status StartController(const std::vector<std::string>& extra_args = {});
  void KillController();  // SIGKILL, no goodbye

  // Starts an agent for host `id` with the given labels and the demo's
  // app_healthy check; its root holds /etc/app/app.conf with `config`
  // (unless it exists already, so a restart keeps the host as it was).
  absl::Status StartAgent(const std::string& id,
                          const std::map<std::string, std::string>& labels,
                          const std::string& config = "workers = 4\n");
  // StartAgent with everything in `options`.
  absl::Status StartAgentWith(const std::string& id,
                              const AgentOptions& options);
  void KillAgent(const std::string& id);  // SIGKILL

  std::string Root(const std::string& id) const;
  std::string ReadHostFile(const std::string& id,
                           const std::string& path) const;

  // Runs swellctl against this controller with the admin token.
  CommandOutput Ctl(std::vector<std::string> args) const;
  // Runs swellctl with a token of `role` (viewer, operator, deployer or
  // admin) named "e2e-ROLE", created on first use.
  CommandOutput CtlAs(const std::string& role, std::vector<std::string> args);
  // The file that holds the token of `role`, created on first use; "" when
  // it could not be made (the test has failed then).
  std::string TokenFile(const std::string& role);
  // swellctl's flags that reach this controller with the token in
  // `token_file`, for tests that run it themselves.
  std::vector<std::string> CtlFlags(const std::string& token_file) const;
  // Writes a plan into the scratch directory; returns its path.
  std::string WritePlan(const std::string& name, const std::string& yaml) const;
  // Submits a plan file; returns the rollout id, or "" on failure.
  std::string Submit(const std::string& plan_path) const;
  // The rollout's status as the API reports it.
  swell::v1::RolloutStatus Status(const std::string& id) const;
  std::string State(const std::string& id) const;
  // One host's row of the rollout (`status ID --host H`); empty when the
  // rollout does not target it.
  swell::v1::RolloutHostStatus HostStatus(const std::string& id,
                                          const std::string& host) const;
  // Waits until the rollout is in `state`.
  bool AwaitState(const std::string& id, const std::string& state,
                  absl::Duration timeout = absl::Seconds(60)) const;
  // Waits until `n` agents are connected.
  bool AwaitConnected(int n) const;

  // Another controller replica (1, 2, ...) against the same database, on
  // addresses of its own (cluster_replicas.cc). It leads only when no other
  // replica does, so this does not wait for it to answer. Agents started
  // after this know every replica's agent address.
  absl::Status StartReplica(int i, const std::vector<std::string>& extra_args);
  // Signals replica i (0: the controller of StartController), and reaps it
  // for SIGKILL.
  void SignalReplica(int i, int sig);
  // Whether replica i's process still runs.
  bool ReplicaRunning(int i);
  // Replica i's log so far.
  std::string ReplicaLog(int i) const;
  // swellctl talks to replica i's API from now on.
  void UseApiOf(int i);
  // swellctl is given these replicas' API addresses, in this order, and
  // finds the one that answers.
  void UseApisOf(const std::vector<int>& replicas);

  // The agent listener's address, and the API's (swellctl's).
  const std::string& address() const { return address_; }
  const std::string& api_address() const { return api_address_; }
  // The pull API's (HTTPS; docs/pull-api.md).
  const std::string& pull_address() const { return pull_address_; }
  // The CA that issued every certificate here, and issues more.
  test_support::ThrowawayPki& pki() { return *pki_; }
  const std::string& ca_file() const { return pki_->ca_file(); }
  const std::string& source_dir() const { return source_dir_; }

 private:
  std::string dir_;
  std::string conninfo_;
  std::string address_;
  std::string api_address_;
  std::string pull_address_;
  std::string first_api_address_;  // replica 0's
  struct Replica {
    std::string address, api_address, pull_address;
    std::unique_ptr<ChildProcess> process;
  };
  std::map<int, Replica> replicas_;  // beyond replica 0

  // A controller's command line on these addresses.
  std::vector<std::string> ControllerArgs(
      const std::string& address, const std::string& api_address,
      const std::string& pull_address) const;
  // Every replica's agent address, comma-separated (agents' --controller).
  std::string AgentControllers() const;
  std::string source_dir_;
  std::string build_dir_;
  absl::Status pki_status_;  // why the PKI could not be made, if it could not
  std::unique_ptr<test_support::ThrowawayPki> pki_;
  test_support::IssuedCertificate controller_cert_;
  std::map<std::string, std::string> token_files_;  // by role
  std::unique_ptr<ChildProcess> controller_;
  std::map<std::string, std::unique_ptr<ChildProcess>> agents_;
  std::map<std::string, std::vector<std::string>> agent_args_;
};

// A plan for the app-config file variable, as the e2e tests write them.
std::string ConfigPlan(const std::string& name, const std::string& content,
                       const std::string& waves = "[1, 50%, 100%]",
                       const std::string& bake = "1s");

}  // namespace swell::e2e
