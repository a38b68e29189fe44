#include "controller/rollout/commands.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "controller/rollout/rollout_step.h"
#include "controller/rollout/wave_scheduler.h"

namespace swell::controller {
namespace {

absl::Status FrozenError(const Freeze& f) {
  return absl::FailedPreconditionError(absl::StrCat(
      "the fleet is frozen since ", absl::FormatTime(f.since), " by ", f.actor,
      ": ", f.reason, " (swellctl unfreeze lifts it)"));
}

absl::StatusOr<const RolloutRecord*> Find(const Fleet& fleet,
                                          const std::string& id) {
  auto it = fleet.rollouts.find(id);
  if (it == fleet.rollouts.end()) {
    return absl::NotFoundError(absl::StrCat("no rollout ", id));
  }
  return &it->second;
}

AuditEvent Event(const Request& req, std::string action, std::string id) {
  return AuditEvent{req.now, req.actor, std::move(action), std::move(id),
                    req.reason};
}

absl::StatusOr<std::vector<TargetHost>> Targets(const Fleet& fleet,
                                                const Plan& plan,
                                                const PresenceView& presence) {
  TargetSelection selected = SelectTargetsNow(plan, fleet.hosts, presence);
  if (selected.targets.empty()) {
    std::vector<std::string> pairs;
    for (const auto& [k, v] : plan.selector)
      pairs.push_back(absl::StrCat(k, "=", v));
    std::string excluded;
    if (!selected.excluded.empty()) {
      excluded =
          absl::StrCat(" it may target (it matches ", selected.excluded.size(),
                       " that are retired or stale)");
    }
    return absl::FailedPreconditionError(
        absl::StrCat("target.selector {", absl::StrJoin(pairs, ", "),
                     "} matches none of the ", fleet.hosts.size(),
                     " known hosts", excluded, " (swellctl hosts lists them)"));
  }
  return std::move(selected.targets);
}

}  // namespace

absl::StatusOr<std::vector<std::vector<std::string>>> PreviewWaves(
    const Fleet& fleet, const Plan& plan, uint32_t seed,
    const PresenceView& presence) {
  auto targets = Targets(fleet, plan, presence);
  if (!targets.ok()) return targets.status();
  return AssignWaves(plan, *std::move(targets), EffectiveWaveSeed(plan, seed));
}

absl::StatusOr<Mutation> SubmitRollout(
    const Fleet& fleet, const Plan& plan, const Policy* policy,
    const std::string& plan_yaml, const std::string& plan_file,
    const std::string& id, const Request& req, GenerationPlan* gens,
    uint32_t seed, const PresenceView& presence) {
  if (policy == nullptr ? !plan.policy.empty() : policy->name != plan.policy) {
    return absl::InternalError(absl::StrCat(
        "plan ", plan.name, " names policy '", plan.policy, "' but was given '",
        policy == nullptr ? "" : policy->name, "'"));
  }
  if (fleet.freeze.active) return FrozenError(fleet.freeze);
  auto targets = Targets(fleet, plan, presence);
  if (!targets.ok()) return targets.status();

  const std::string& variable = plan.variable.name();
  for (const auto& [other_id, rec] : fleet.rollouts) {
    if (!IsActive(rec.rollout) || rec.rollout.variable != variable) continue;
    std::vector<std::string> shared;
    for (const TargetHost& t : *targets) {
      if (rec.hosts.count(t.id)) shared.push_back(t.id);
    }
    if (shared.empty()) continue;
    return absl::FailedPreconditionError(absl::StrCat(
        "conflicts with rollout ", other_id, " (", rec.rollout.name, ", ",
        std::string(RolloutStateName(rec.rollout.state)),
        "), which moves variable ", variable, " on ", shared.size(),
        " of these hosts, e.g. ", shared.front(),
        "; wait for it to finish or roll it back"));
  }

  const uint32_t order_seed = EffectiveWaveSeed(plan, seed);
  auto waves = AssignWaves(plan, *std::move(targets), order_seed);
  Mutation m;
  Rollout r;
  r.id = id;
  r.name = plan.name;
  r.plan_yaml = plan_yaml;
  r.plan_file = plan_file;
  if (policy != nullptr) r.policy_yaml = policy->yaml;
  r.variable = variable;
  r.spec = plan.variable;
  r.new_value = plan.value;
  r.state = RolloutState::kRunning;
  r.wave_count = static_cast<int>(waves.size());
  r.order_seed = order_seed;
  r.phase = WavePhase::kAdmitting;
  r.phase_started = req.now;
  r.reason = "submitted";
  r.actor = req.actor;
  r.created = r.updated = req.now;
  m.rollouts.push_back(r);
  for (size_t w = 0; w < waves.size(); ++w) {
    for (const std::string& host : waves[w]) {
      RolloutHost rh;
      rh.rollout_id = id;
      rh.host_id = host;
      rh.wave = static_cast<int>(w);
      rh.state = HostState::kWaiting;
      rh.updated = req.now;
      m.rollout_hosts.push_back(std::move(rh));
      gens->Touch(host);  // it gets an observe-only entry for the variable
    }
  }
  m.audit.push_back(Event(req, "submit", id));
  return m;
}

absl::StatusOr<Mutation> HaltRollout(const Fleet& fleet, const std::string& id,
                                     const Request& req) {
  auto rec = Find(fleet, id);
  if (!rec.ok()) return rec.status();
  Rollout r = (*rec)->rollout;
  Mutation m;
  if (r.state == RolloutState::kHalted) return m;  // already: nothing to do
  if (r.state != RolloutState::kRunning && r.state != RolloutState::kPaused) {
    return absl::FailedPreconditionError(absl::StrCat(
        "rollout ", id, " is ", std::string(RolloutStateName(r.state)),
        "; only a running or "
        "paused rollout can be halted"));
  }
  r.state = RolloutState::kHalted;
  r.reason = absl::StrCat("halted by ", req.actor, ": ", req.reason);
  r.updated = req.now;
  m.rollouts.push_back(std::move(r));
  m.audit.push_back(Event(req, "halt", id));
  return m;
}

absl::StatusOr<Mutation> ResumeRollout(Fleet& fleet, const std::string& id,
                                       const Request& req) {
  auto found = Find(fleet, id);
  if (!found.ok()) return found.status();
  RolloutRecord& rec = fleet.rollouts.at(id);
  Rollout r = rec.rollout;
  Mutation m;
  if (r.state == RolloutState::kRunning) return m;
  if (r.state != RolloutState::kHalted && r.state != RolloutState::kPaused) {
    return absl::FailedPreconditionError(absl::StrCat(
        "rollout ", id, " is ", std::string(RolloutStateName(r.state)),
        "; only a halted or paused rollout can be resumed"));
  }
  if (fleet.freeze.active) return FrozenError(fleet.freeze);
  r.state = RolloutState::kRunning;
  r.reason = absl::StrCat("resumed by ", req.actor, ": ", req.reason);
  r.updated = req.now;
  // The phase starts over: a resumed wave bakes again in full, and its
  // progress deadline does not count the time it stood halted.
  r.phase_started = req.now;
  rec.gates.breaches.clear();
  m.rollouts.push_back(std::move(r));
  m.audit.push_back(Event(req, "resume", id));
  return m;
}

absl::StatusOr<Mutation> RollbackRollout(const Fleet& fleet,
                                         const std::string& id,
                                         const Request& req,
                                         GenerationPlan* gens) {
  auto rec = Find(fleet, id);
  if (!rec.ok()) return rec.status();
  const RolloutState s = (*rec)->rollout.state;
  Mutation m;
  if (s == RolloutState::kRollingBack) return m;
  if (IsTerminal(s)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "rollout ", id, " already ", std::string(RolloutStateName(s)),
        "; to undo a finished rollout, submit a plan with the old value"));
  }
  StartRollback(**rec,
                absl::StrCat("rollback by ", req.actor, ": ", req.reason),
                req.now, gens, &m);
  m.audit.push_back(Event(req, "rollback", id));
  return m;
}

absl::StatusOr<Mutation> FreezeFleet(const Fleet& fleet, const Request& req,
                                     absl::Time expires) {
  Mutation m;
  Freeze f{true, req.reason, req.actor,
           fleet.freeze.active ? fleet.freeze.since : req.now, expires};
  m.freeze = f;
  for (const auto& [id, rec] : fleet.rollouts) {
    if (rec.rollout.state != RolloutState::kRunning) continue;
    Rollout r = rec.rollout;
    r.state = RolloutState::kHalted;
    r.reason = absl::StrCat("halted by fleet freeze (", req.actor, ": ",
                            req.reason, ")");
    r.updated = req.now;
    m.rollouts.push_back(std::move(r));
    m.audit.push_back(Event(req, "halt", id));
  }
  m.audit.push_back(Event(req, "freeze", ""));
  return m;
}

absl::StatusOr<Mutation> UnfreezeFleet(const Fleet& fleet, const Request& req) {
  Mutation m;
  if (!fleet.freeze.active) return m;
  m.freeze = Freeze{};
  m.audit.push_back(Event(req, "unfreeze", ""));
  return m;
}

}  // namespace swell::controller
