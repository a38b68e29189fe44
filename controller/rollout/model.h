#pragma once

// The controller's model: what is stored in PostgreSQL and held in memory by
// the reconciler. Plain value types; no behaviour beyond naming.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "swell/v1/types.pb.h"

namespace swell::controller {

enum class RolloutState {
  kRunning,      // admitting waves
  kPaused,       // stopped by a gate (inconclusive, or on_failure: pause)
  kHalted,       // stopped by on-call or a freeze
  kSucceeded,    // every wave admitted, converged and gated
  kRollingBack,  // admitted hosts being returned to their previous values
  kRolledBack,   // every admitted host is back at its previous value
};

// Where the current wave is.
enum class WavePhase {
  kAdmitting,   // learning each host's previous value, then setting desired
  kConverging,  // waiting for the wave's agents to apply
  kBaking,      // converged; gates evaluated until the bake time has passed
};

enum class HostState {
  kWaiting,      // not admitted yet: its wave has not come
  kAdmitting,    // its wave came; waiting for its agent's actual value
  kApplying,     // desired value sent; waiting for the agent's result
  kConverged,    // the agent applied and verified the new value
  kFailed,       // apply failed, or the agent was silent past the grace
  kRollingBack,  // desired set back to the previous value
  kRolledBack,   // the agent confirmed the previous value
  kSkipped,      // never touched: the rollout ended before its wave
};

std::string_view RolloutStateName(RolloutState s);
std::string_view WavePhaseName(WavePhase p);
std::string_view HostStateName(HostState s);
std::optional<RolloutState> RolloutStateFromName(std::string_view name);
std::optional<WavePhase> WavePhaseFromName(std::string_view name);
std::optional<HostState> HostStateFromName(std::string_view name);
bool IsTerminal(RolloutState s);  // succeeded, rolled back

struct Host {
  std::string id;
  std::map<std::string, std::string> labels;
  std::string agent_version;
  absl::Time first_seen = absl::InfinitePast();
  absl::Time last_seen = absl::InfinitePast();
  int64_t desired_generation = 0;  // generation of the last desired state
  // When an operator retired the host (swellctl hosts retire), and why.
  // InfinitePast: not retired. A retired host is never targeted; its hello
  // un-retires it (host_lifecycle.h).
  absl::Time retired_at = absl::InfinitePast();
  std::string retire_reason;
  // When an operator revoked the host (swellctl hosts revoke), and why.
  // InfinitePast: not revoked. A revoked host's agent streams are refused
  // until it is unrevoked; it is never targeted.
  absl::Time revoked_at = absl::InfinitePast();
  std::string revoke_reason;
};

// A value the controller enforces on one host for one variable. Hosts keep
// these after a rollout ends; they are the host's desired state.
struct HostDesired {
  std::string host_id;
  swell::v1::VariableSpec spec;
  swell::v1::Value value;
  std::string rollout_id;  // the rollout that set it last
};

struct Rollout {
  std::string id;  // "r-" + 8 hex digits; sortable by creation
  std::string name;
  std::string plan_yaml;  // as submitted; re-parsed on load
  std::string plan_file;
  // The text of the policy the plan names, as it was at submit; the plan is
  // re-parsed against it, not against the policies loaded now. Empty when
  // the plan names none, or when the rollout was stored before policies
  // were kept (such a plan is re-parsed against the policies loaded now).
  std::string policy_yaml;
  std::string variable;  // the variable it moves
  swell::v1::VariableSpec spec;
  swell::v1::Value new_value;
  RolloutState state = RolloutState::kRunning;
  int current_wave = 0;
  int wave_count = 0;
  // The seed its hosts were ordered with within each failure domain
  // (wave_scheduler.h); `preview --seed` with it shows the same waves for
  // the same fleet. 0 for a rollout stored before seeds were kept (its
  // order hashed its id); its waves stand, as every rollout's do.
  uint32_t order_seed = 0;
  WavePhase phase = WavePhase::kAdmitting;
  absl::Time phase_started = absl::InfinitePast();
  std::string reason;  // why it is in its state (gate, operator's reason)
  std::string actor;   // who submitted it
  absl::Time created = absl::InfinitePast();
  absl::Time updated = absl::InfinitePast();
};

// One targeted host of one rollout. Its wave is frozen at submit.
struct RolloutHost {
  std::string rollout_id;
  std::string host_id;
  int wave = 0;
  HostState state = HostState::kWaiting;
  bool previous_known = false;
  swell::v1::Value previous;  // the host's value before admission
  int64_t generation = 0;     // desired generation that carried the change
  std::string message;        // last result, one line
  std::string output_tail;
  // Why the host failed in this rollout, kept when it moves on from
  // kFailed (a rollback returns it to its previous value): the host counts
  // as failed while it is kFailed or this is set. Empty: it never failed,
  // or it is kFailed and `message` says why.
  std::string failure;
  absl::Time updated = absl::InfinitePast();
};

struct VerdictRecord {
  std::string rollout_id;
  int wave = 0;
  std::string gate;
  std::string verdict;  // pass, fail, inconclusive
  std::string summary;
  std::string evidence_json;
  bool dry_run = false;
  absl::Time at = absl::InfinitePast();
};

struct AuditEvent {
  absl::Time at = absl::InfinitePast();
  std::string actor;
  std::string action;      // submit, halt, resume, rollback, freeze, unfreeze,
                           // gate_failed, succeeded, rolled_back, ...
  std::string rollout_id;  // empty for fleet-wide events
  std::string reason;
};

struct Freeze {
  bool active = false;
  std::string reason;
  std::string actor;
  absl::Time since = absl::InfinitePast();
  absl::Time expires = absl::InfiniteFuture();
};

// Everything the reconciler needs, as loaded at start.
struct FleetState {
  std::map<std::string, Host> hosts;
  // host id -> variable name -> enforced value
  std::map<std::string, std::map<std::string, HostDesired>> desired;
  std::map<std::string, Rollout> rollouts;
  // rollout id -> its hosts, ordered by (wave, host id)
  std::map<std::string, std::vector<RolloutHost>> rollout_hosts;
  Freeze freeze;
};

// A batch of changes written in one transaction. Every entry is an upsert
// keyed as noted, so committing the same mutation twice is harmless.
struct Mutation {
  std::vector<Host> hosts;                 // key: id
  std::vector<Rollout> rollouts;           // key: id
  std::vector<RolloutHost> rollout_hosts;  // key: (rollout_id, host_id)
  std::vector<HostDesired> desired;        // key: (host_id, spec.name)
  // (host id, variable name) whose enforced value is removed.
  std::vector<std::pair<std::string, std::string>> desired_removed;
  std::vector<VerdictRecord> verdicts;  // appended
  std::vector<AuditEvent> audit;        // appended
  std::optional<Freeze> freeze;         // replaces the fleet's freeze

  bool empty() const {
    return hosts.empty() && rollouts.empty() && rollout_hosts.empty() &&
           desired.empty() && desired_removed.empty() && verdicts.empty() &&
           audit.empty() && !freeze.has_value();
  }
};

}  // namespace swell::controller
