// World's step loop: warm-up, a fault phase with operator commands at
// random moments, then a calm phase that must bring every rollout to a
// terminal state within a bound (invariant 7).

#include "absl/strings/str_cat.h"
#include "tests/dst/crashing_store.h"
#include "tests/dst/sim_operator.h"
#include "tests/dst/sim_world.h"

namespace swell::dst {
namespace {

constexpr int kWarmupSteps = 5;
constexpr int kCalmResumeEvery = 15;

// One line per rollout whose state, wave or phase changed: the trace's
// account of what the controller decided.
void TraceChanges(World& world, const controller::Fleet* prev,
                  const controller::Fleet& cur) {
  for (const auto& [id, rec] : cur.rollouts) {
    const controller::Rollout& r = rec.rollout;
    const controller::Rollout* was = nullptr;
    if (prev != nullptr) {
      auto it = prev->rollouts.find(id);
      if (it != prev->rollouts.end()) was = &it->second.rollout;
    }
    if (was != nullptr && was->state == r.state &&
        was->current_wave == r.current_wave && was->phase == r.phase) {
      continue;
    }
    std::map<std::string, int> states;
    for (const auto& [host, h] : rec.hosts) {
      states[std::string(controller::HostStateName(h.state))]++;
    }
    std::string counts;
    for (const auto& [name, n] : states)
      absl::StrAppend(&counts, " ", name, "=", n);
    world.Trace(id, " (", r.variable, "=", r.new_value.data(),
                "): ", std::string(controller::RolloutStateName(r.state)),
                " wave ", r.current_wave + 1, "/", r.wave_count, " ",
                std::string(controller::WavePhaseName(r.phase)), ";", counts,
                " (", r.reason, ")");
  }
}

}  // namespace

void World::RunEventsUntil(absl::Time until) {
  while (!events_.empty() && events_.top().at <= until && !violation_) {
    Event e = events_.top();
    events_.pop();
    if (e.at > Now()) clock_.Advance(e.at - Now());
    e.fn();
  }
  if (until > Now()) clock_.Advance(until - Now());
}

void World::InjectFaults() {
  const FaultRates& f = config_.faults;
  auto any_agent = [&] {
    return static_cast<int>(Between(rng_, 0, int64_t(agents_.size()) - 1));
  };
  if (Chance(rng_, f.stream_drop)) {
    const int i = any_agent();
    if (agents_[i]->stream() != 0) DropStream(i);
  }
  if (Chance(rng_, f.agent_crash)) {
    const int i = any_agent();
    if (agents_[i]->alive()) {
      const bool stale = Chance(rng_, f.stale_comeback);
      Trace(agents_[i]->id(), " crashes", stale ? " (comes back stale)" : "");
      agents_[i]->Crash(absl::Seconds(Between(rng_, 1, 20)), stale);
    }
  }
  if (Chance(rng_, f.agent_silent)) {
    const int i = any_agent();
    Trace(agents_[i]->id(), " goes silent");
    agents_[i]->GoSilent(absl::Seconds(Between(rng_, 5, 90)));
  }
}

void World::EndFaults() {
  calm_ = true;
  Trace("faults end: agents heal, the operator unfreezes and resumes");
  for (auto& a : agents_) a->Heal();
}

bool World::AllTerminal() const {
  auto fleet = Latest();
  if (fleet == nullptr) return false;
  for (const auto& [id, rec] : fleet->rollouts) {
    if (controller::IsActive(rec.rollout)) return false;
  }
  return true;
}

std::optional<Violation> World::Step() {
  facts_ = StepFacts{};
  const bool faulty = !calm_ && step_ >= kWarmupSteps;
  const FaultRates& f = config_.faults;
  std::shared_ptr<const controller::Fleet> prev = Latest();

  bool crash_after_commit = false;
  if (faulty) {
    InjectFaults();
    if (Chance(rng_, f.controller_crash)) {
      if (Chance(rng_, f.crash_after_commit)) {
        crash_after_commit = true;
      } else {
        CrashController("before the tick");
        prev = Latest();
      }
    }
    if (Chance(rng_, f.operator_action)) operator_->Act();
  } else if (calm_ && step_ % kCalmResumeEvery == 0) {
    operator_->Calm();
  }

  absl::Duration dt = config_.step;
  if (faulty && Chance(rng_, f.clock_jump)) {
    dt += absl::Seconds(Between(rng_, 10, 90));
    Trace("the clock jumps ", absl::FormatDuration(dt));
  }
  RunEventsUntil(Now() + dt);
  if (violation_) return violation_;

  if (faulty && Chance(rng_, f.commit_failure)) {
    const bool aborted = Chance(rng_, 0.5);
    Trace("the next commit fails (", aborted ? "aborted" : "unavailable", ")");
    memory_->FailNextCommit(aborted ? absl::AbortedError("dst: serialization")
                                    : absl::UnavailableError("dst: db down"));
  }
  facts_.now = Now();
  store_->armed = crash_after_commit;
  node_->reconciler().TickNow();
  store_->armed = false;
  if (violation_) return violation_;

  std::shared_ptr<const controller::Fleet> cur = Latest();
  if (cur != nullptr && cur != prev) {
    if (trace_ != nullptr) TraceChanges(*this, prev.get(), *cur);
    auto e = checker_->AfterStep(prev.get(), *cur, facts_, node_->tracker());
    if (e) return Violation{step_, *e};
  }
  if (store_->crashed) CrashController("between commit and push");
  return violation_;
}

std::optional<Violation> World::Run() {
  Trace("seed ", config_.seed, ": ", config_.hosts, " hosts, ",
        config_.variables, " variables, ", config_.sites, " sites, ",
        config_.fault_steps, " fault steps",
        config_.domain_budget ? ", domain budget" : "",
        config_.per_role ? ", per-role ceilings" : "");
  BuildFleet();
  StartController();
  if (violation_) return violation_;
  const int calm_at = kWarmupSteps + config_.fault_steps;
  const int end = calm_at + config_.liveness_steps;
  for (step_ = 0; step_ < end; ++step_) {
    if (step_ == calm_at) EndFaults();
    if (auto v = Step()) return v;
    if (calm_ && AllTerminal()) {
      Trace("every rollout is terminal");
      return std::nullopt;
    }
  }
  auto fleet = Latest();
  if (fleet != nullptr) {
    if (auto e = checker_->Unfinished(*fleet)) return Violation{step_, *e};
  }
  return std::nullopt;
}

}  // namespace swell::dst
