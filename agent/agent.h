#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "agent/agent_config.h"
#include "agent/agent_metrics.h"
#include "agent/collectors/check_scheduler.h"
#include "agent/controller_link.h"
#include "agent/enforcer.h"
#include "agent/journal.h"
#include "swell/v1/agent.pb.h"

namespace swell::agent {

// One host's agent: the controller link, the enforcer and the health
// checks, wired together. Desired states from the controller are checked
// (host id, generation), persisted to <state_dir>/desired.pb, then handed
// to the enforcer. The last persisted state is loaded at Start, so the
// agent keeps enforcing it while no controller is reachable.
class Agent {
 public:
  // `credentials` (TLS, or plaintext the caller allowed) are used for every
  // connection to the controller.
  Agent(AgentConfig config,
        std::shared_ptr<grpc::ChannelCredentials> credentials);
  ~Agent();  // stops

  // Prepares the state dir, opens the journal, loads the saved desired
  // state, serves /metrics when config().metrics_listen is set, and starts
  // every thread. An error leaves nothing running: kUnavailable when the
  // metrics address cannot be bound.
  [[nodiscard]] absl::Status Start();
  // Stops checks, the enforcer and the link; returns within a few seconds.
  // Idempotent.
  void Stop();

  // The generation of the held desired state (0: none).
  int64_t generation() const;
  // Completed enforcer passes; 0 before Start.
  uint64_t passes() const;
  // Nonzero while connected: the connection's number.
  uint64_t connection() const;

  const AgentConfig& config() const { return config_; }
  std::string desired_state_path() const;
  std::string journal_path() const;

 private:
  swell::v1::Hello BuildHello() const;
  void OnDesired(const swell::v1::DesiredState& state);

  const AgentConfig config_;
  const std::shared_ptr<grpc::ChannelCredentials> credentials_;
  std::unique_ptr<Journal> journal_;
  std::unique_ptr<ControllerLink> link_;
  std::unique_ptr<Enforcer> enforcer_;
  std::unique_ptr<CheckScheduler> checks_;
  std::shared_ptr<AgentMetrics> metrics_;
  // Reads metrics_, enforcer_ and link_ from its own threads: declared
  // last, so it is gone before them.
  std::unique_ptr<prometheus::Exposer> exposer_;
  bool started_ = false;
};

}  // namespace swell::agent
