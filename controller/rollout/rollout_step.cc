#include "controller/rollout/rollout_step.h"

#include <algorithm>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/value.h"
#include "controller/rollout/domain_budget.h"
#include "controller/rollout/gate_round.h"
#include "controller/rollout/wave_sizes.h"

namespace swell::controller {
namespace {

std::string Dur(absl::Duration d) {
  return absl::FormatDuration(absl::Trunc(d, absl::Seconds(1)));
}

// One step of one rollout. Works on copies; Finish() emits what changed.
class Step {
 public:
  Step(RolloutRecord& rec, const StepContext& ctx, GenerationPlan* gens,
       Mutation* out)
      : rec_(rec),
        ctx_(ctx),
        gens_(gens),
        out_(out),
        r_(rec.rollout),
        hosts_(rec.hosts) {}

  void Run() {
    switch (r_.state) {
      case RolloutState::kRunning:
        RunWave();
        break;
      case RolloutState::kHalted:
      case RolloutState::kPaused:
        TrackApplies();
        break;
      case RolloutState::kRollingBack:
        TrackRollback();
        break;
      case RolloutState::kSucceeded:
      case RolloutState::kRolledBack:
        break;
    }
    Finish();
  }

 private:
  const std::string& Var() const { return r_.variable; }

  void SetHost(RolloutHost& h, HostState s, std::string message) {
    h.state = s;
    h.message = std::move(message);
    h.updated = ctx_.now;
    changed_.insert(h.host_id);
  }

  void SetRollout(RolloutState s, std::string reason) {
    r_.state = s;
    r_.reason = std::move(reason);
    rollout_changed_ = true;
  }

  void SetPhase(WavePhase p) {
    r_.phase = p;
    r_.phase_started = ctx_.now;
    rollout_changed_ = true;
  }

  void Audit(std::string action, std::string reason) {
    out_->audit.push_back(AuditEvent{ctx_.now, "swell-controller",
                                     std::move(action), r_.id,
                                     std::move(reason)});
  }

  // Whether the host's agent is away and has been silent for longer than
  // the grace, counted from `since` at the earliest, and never from before
  // agents could be back after a controller start.
  bool Silent(const std::string& host, absl::Time since) const {
    if (ctx_.agents->Connected(host)) return false;
    absl::Time heard =
        std::max({ctx_.agents->LastHeard(host), since, ctx_.AgentsBackBy()});
    return ctx_.now - heard > ctx_.agent_grace;
  }

  // The host's value before this rollout: what Swell enforces there, else
  // what its agent reported.
  std::optional<swell::v1::Value> PreviousValue(const std::string& host) const {
    auto d = ctx_.fleet->desired.find(host);
    if (d != ctx_.fleet->desired.end()) {
      auto v = d->second.find(Var());
      if (v != d->second.end()) return v->second.value;
    }
    return ctx_.agents->Actual(host, Var());
  }

  // The waiting hosts of the current wave that the failure-domain budget
  // lets in now. When some must wait, the rollout's reason says why.
  std::set<std::string> BudgetAllows() {
    BudgetDecision d = AdmissibleNow(
        *ctx_.fleet, r_.id, rec_.plan.domain_budget, hosts_, r_.current_wave);
    if (d.waiting == 0 && r_.reason.starts_with("waiting: ")) {
      d.reason = absl::StrCat("wave ", r_.current_wave + 1,
                              " admitted within the failure-domain budget");
    }
    if (!d.reason.empty() && d.reason != r_.reason) {
      r_.reason = std::move(d.reason);
      rollout_changed_ = true;
    }
    return {d.admit.begin(), d.admit.end()};
  }

  void Admit() {
    const std::set<std::string> allowed = BudgetAllows();
    bool waiting = false;
    for (auto& [id, h] : hosts_) {
      if (h.wave != r_.current_wave) continue;
      if (h.state != HostState::kWaiting && h.state != HostState::kAdmitting) {
        continue;
      }
      if (h.state == HostState::kWaiting && !allowed.count(id)) {
        waiting = true;
        continue;
      }
      std::optional<swell::v1::Value> prev = PreviousValue(id);
      if (prev) {
#ifndef SWELL_PLANTED_BUG_SKIP_PREVIOUS  // tests/dst: a bug it must catch
        h.previous = *prev;
#endif
        h.previous_known = true;
        h.generation = gens_->Touch(id);
        out_->desired.push_back(HostDesired{id, r_.spec, r_.new_value, r_.id});
        SetHost(h, HostState::kApplying, "desired value sent");
      } else if (Silent(id, r_.phase_started)) {
        gens_->Touch(id);  // its observe-only entry goes away
        SetHost(
            h, HostState::kFailed,
            absl::StrCat("agent never reported the current value of ", Var(),
                         " within ", Dur(ctx_.agent_grace), ReadErrorOf(id)));
      } else if (h.state == HostState::kAdmitting && AdmissionOverdue(h)) {
        gens_->Touch(id);  // its observe-only entry goes away
        SetHost(h, HostState::kFailed,
                absl::StrCat("agent did not report the current value of ",
                             Var(), " within the progress deadline (",
                             Dur(rec_.plan.progress_deadline), ")",
                             ReadErrorOf(id)));
      } else {
        std::string message =
            absl::StrCat("waiting for the agent's report", ReadErrorOf(id));
        if (h.state == HostState::kWaiting) {
          SetHost(h, HostState::kAdmitting, std::move(message));
        } else if (h.message != message) {
          h.message = std::move(message);  // `updated` stays its admission
          changed_.insert(id);
        }
        waiting = true;
      }
    }
    if (!waiting) SetPhase(WavePhase::kConverging);
  }

  // A host's admission is bounded by the progress deadline, like its
  // convergence, counted from when the failure-domain budget let it in:
  // a host whose agent is connected but never reports the variable's
  // current value fails when it passes.
  bool AdmissionOverdue(const RolloutHost& h) const {
    return ctx_.now - h.updated > rec_.plan.progress_deadline;
  }

  // ": it cannot read X: <why>" when the host's agent said so, else "".
  std::string ReadErrorOf(const std::string& host) const {
    std::string error = ctx_.agents->ActualError(host, Var());
    if (error.empty()) return "";
    return absl::StrCat(": it cannot read ", Var(), ": ", error);
  }

  // Applying -> converged or failed, from what agents reported.
  void TrackApplies() {
    for (auto& [id, h] : hosts_) {
      if (h.state == HostState::kConverged && Silent(id, h.updated)) {
        SetHost(h, HostState::kFailed,
                absl::StrCat("agent gone for more than ", Dur(ctx_.agent_grace),
                             " after converging"));
        continue;
      }
      if (h.state != HostState::kApplying) continue;
      auto a = ctx_.agents->LastApply(id, Var());
      if (a && a->generation >= h.generation) {
        if (a->ok && common::SameValue(a->actual, r_.new_value)) {
          SetHost(h, HostState::kConverged, "converged");
          // Converged when its result arrived: health it sent after that
          // (agents measure right after an apply) is fresh evidence.
          if (a->at != absl::InfinitePast()) {
            h.updated = std::min(h.updated, a->at);
          }
          continue;
        }
        if (!a->ok) {
          h.output_tail = a->output_tail;
          SetHost(h, HostState::kFailed, a->message);
          continue;
        }
      }
      if (Silent(id, h.updated)) {
        SetHost(
            h, HostState::kFailed,
            absl::StrCat("agent silent for more than ", Dur(ctx_.agent_grace)));
      }
    }
  }

  void Fail(const std::string& why, FailureAction action) {
    Audit("gate_failed", why);
    if (action == FailureAction::kRollback) {
      // The rollback starts from what this step already decided; hosts it
      // changes again are written again, and the last write wins.
      for (const auto& id : changed_) out_->rollout_hosts.push_back(hosts_[id]);
      RolloutRecord current = rec_;
      current.rollout = r_;
      current.hosts = hosts_;
      StartRollback(current, why, ctx_.now, gens_, out_);
      rolled_back_ = true;
    } else {
      SetRollout(RolloutState::kPaused, why);
      Audit("paused", why);
    }
  }

  void RunWave() {
    if (r_.phase == WavePhase::kAdmitting) Admit();
    TrackApplies();

    const bool bake_over =
        r_.phase == WavePhase::kBaking &&
        ctx_.now >= r_.phase_started + WaveBake(rec_.plan, r_.wave_count);
    GateRoundResult gates =
        EvaluateGateRound(rec_, r_, hosts_, ctx_, bake_over);
    for (auto& v : gates.verdicts) out_->verdicts.push_back(std::move(v));
    if (!gates.failure.empty())
      return Fail(gates.failure, rec_.plan.on_failure);

    if (r_.phase == WavePhase::kConverging) {
      bool pending = false;
      int still = 0;
      for (const auto& [id, h] : hosts_) {
        if (h.wave == r_.current_wave && h.state == HostState::kApplying) {
          pending = true;
          ++still;
        }
      }
      if (!pending) {
        SetPhase(WavePhase::kBaking);
      } else if (ctx_.now - r_.phase_started > rec_.plan.progress_deadline) {
        return Fail(absl::StrCat("wave ", r_.current_wave + 1,
                                 " did not converge within ",
                                 Dur(rec_.plan.progress_deadline), ": ", still,
                                 " host(s) still applying"),
                    rec_.plan.on_failure);
      }
      return;
    }
    if (!bake_over) return;
    // Samples still due (from agents that are away, or hosts' first reports
    // since converging): wait, do not conclude; but no longer than the
    // progress deadline after the bake.
    if (!gates.all_pass && gates.awaiting_agents) {
      const absl::Time bake_end =
          r_.phase_started + WaveBake(rec_.plan, r_.wave_count);
      if (ctx_.now - bake_end <= rec_.plan.progress_deadline) return;
      return Fail(absl::StrCat("wave ", r_.current_wave + 1,
                               ": health samples were still due from its "
                               "hosts ",
                               Dur(rec_.plan.progress_deadline),
                               " after the bake (progress deadline)"),
                  rec_.plan.on_inconclusive);
    }
    if (!gates.all_pass) {
      return Fail(absl::StrCat("inconclusive at the end of the bake of wave ",
                               r_.current_wave + 1, ": ", gates.inconclusive),
                  rec_.plan.on_inconclusive);
    }
    if (r_.current_wave + 1 < r_.wave_count) {
      r_.current_wave++;
      SetPhase(WavePhase::kAdmitting);
      Audit("wave_started",
            absl::StrCat("wave ", r_.current_wave + 1, " of ", r_.wave_count));
      Admit();  // admit at once rather than on the next tick
      return;
    }
    SetRollout(RolloutState::kSucceeded,
               "every wave converged and passed its gates");
    Audit("succeeded", r_.reason);
    for (const auto& [id, h] : hosts_) {
      if (h.state == HostState::kWaiting || h.state == HostState::kAdmitting) {
        gens_->Touch(id);  // its observe-only entry goes away
      }
    }
  }

  void TrackRollback() {
    bool pending = false;
    int failed = 0;
    for (auto& [id, h] : hosts_) {
      if (h.state == HostState::kFailed &&
          h.message.rfind("rollback", 0) == 0) {
        ++failed;
      }
      if (h.state != HostState::kRollingBack) continue;
      auto a = ctx_.agents->LastApply(id, Var());
      if (a && a->generation >= h.generation) {
        if (a->ok && common::SameValue(a->actual, h.previous)) {
          constexpr std::string_view kAfter = "previous value sent after: ";
          SetHost(h, HostState::kRolledBack,
                  absl::StartsWith(h.message, std::string(kAfter))
                      ? absl::StrCat("previous value restored after: ",
                                     h.message.substr(kAfter.size()))
                      : "previous value restored");
          continue;
        }
        if (!a->ok) {
          h.output_tail = a->output_tail;
          SetHost(h, HostState::kFailed,
                  absl::StrCat("rollback failed: ", a->message));
          ++failed;
          continue;
        }
      }
      if (Silent(id, h.updated)) {
        SetHost(
            h, HostState::kFailed,
            absl::StrCat("rollback unconfirmed: agent silent for more than ",
                         Dur(ctx_.agent_grace)));
        ++failed;
        continue;
      }
      pending = true;
    }
    if (pending) return;
    std::string why =
        failed == 0 ? r_.reason
                    : absl::StrCat(r_.reason, " (", failed,
                                   " host(s) did not confirm the rollback)");
    SetRollout(RolloutState::kRolledBack, why);
    Audit("rolled_back", why);
  }

  void Finish() {
    if (rolled_back_) return;  // StartRollback emitted the rollout and hosts
    if (rollout_changed_) {
      r_.updated = ctx_.now;
      out_->rollouts.push_back(r_);
    }
    for (const auto& id : changed_) out_->rollout_hosts.push_back(hosts_[id]);
  }

  RolloutRecord& rec_;
  const StepContext& ctx_;
  GenerationPlan* gens_;
  Mutation* out_;
  Rollout r_;
  std::map<std::string, RolloutHost> hosts_;
  std::set<std::string> changed_;
  bool rollout_changed_ = false;
  bool rolled_back_ = false;
};

}  // namespace

void StepRollout(RolloutRecord& rec, const StepContext& ctx,
                 GenerationPlan* gens, Mutation* out) {
  Step(rec, ctx, gens, out).Run();
}

void StartRollback(const RolloutRecord& rec, const std::string& reason,
                   absl::Time now, GenerationPlan* gens, Mutation* out) {
  Rollout r = rec.rollout;
  r.state = RolloutState::kRollingBack;
  r.reason = reason;
  r.updated = now;
  bool any = false;
  for (const auto& [id, host] : rec.hosts) {
    RolloutHost h = host;
    switch (h.state) {
      case HostState::kWaiting:
      case HostState::kAdmitting:
        h.state = HostState::kSkipped;
        h.message = "never admitted";
        gens->Touch(id);  // its observe-only entry goes away
        break;
      case HostState::kFailed:
        if (!h.previous_known) continue;  // failed before it was touched
        [[fallthrough]];
      case HostState::kApplying:
      case HostState::kConverged:
        h.generation = gens->Touch(id);
        out->desired.push_back(HostDesired{id, r.spec, h.previous, r.id});
        // A failed host keeps why it failed, as a fact (`failure`: it is
        // counted and listed as failed after it is rolled back) and in its
        // message: that is what on-call reads.
        if (h.state == HostState::kFailed && h.failure.empty()) {
          h.failure = h.message;
        }
        h.message = h.state == HostState::kFailed
                        ? absl::StrCat("previous value sent after: ", h.message)
                        : "previous value sent";
        h.state = HostState::kRollingBack;
        any = true;
        break;
      default:
        continue;
    }
    h.updated = now;
    out->rollout_hosts.push_back(std::move(h));
  }
  if (!any) {
    r.state = RolloutState::kRolledBack;
    out->audit.push_back(AuditEvent{now, "swell-controller", "rolled_back",
                                    r.id, "no host had been admitted"});
  }
  out->rollouts.push_back(std::move(r));
}

}  // namespace swell::controller
