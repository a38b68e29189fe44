#include "controller/rollout/gate_round.h"

#include "absl/strings/str_cat.h"
#include "controller/rollout/gate_input.h"

namespace swell::controller {
namespace {

// A plan without a failed-hosts gate still must not advance past hosts that
// failed: this is the gate it gets.
const GateSpec& ImplicitFailedHostsGate() {
  static const GateSpec* g = [] {
    auto* s = new GateSpec;
    s->name = "failed-hosts";
    s->check = "failed_hosts <= 0";
    s->kind = GateKind::kFailedHosts;
    s->op = Comparison::kLe;
    s->threshold = 0;
    return s;
  }();
  return *g;
}

class GateRound {
 public:
  GateRound(RolloutRecord& rec, const Rollout& rollout,
            const std::map<std::string, RolloutHost>& hosts,
            const StepContext& ctx)
      : rec_(rec), r_(rollout), hosts_(hosts), ctx_(ctx) {}

  GateRoundResult Run(bool final) {
    std::vector<const GateSpec*> gates;
    bool has_failed_hosts_gate = false;
    for (const GateSpec& g : rec_.plan.gates) {
      gates.push_back(&g);
      has_failed_hosts_gate |= g.kind == GateKind::kFailedHosts;
    }
    if (!has_failed_hosts_gate) gates.push_back(&ImplicitFailedHostsGate());
    for (const GateSpec* g : gates) Evaluate(*g, final);
    return std::move(result_);
  }

 private:
  void Evaluate(const GateSpec& g, bool final) {
    GateInput input = GateInputFor(g, hosts_, ctx_.fleet->hosts, *ctx_.health,
                                   r_.phase_started);
    if (g.kind == GateKind::kPromql) {
      AddPromqlInput(g, r_.id, hosts_, ctx_.promql, r_.phase_started, ctx_.now,
                     &input);
    }
    if (AwaitsAgents(g, input)) {
      result_.all_pass = false;
      result_.awaiting_agents = true;
      return;
    }
    GateVerdict v = EvaluateGate(g, input);
    int& breaches = rec_.gates.breaches[g.name];
    if (v.result != GateResult::kFail) {
      breaches = 0;
    } else if (NewBreach(g.name, v)) {
      ++breaches;
    }
    const bool acts = !g.dry_run;
    const bool breached = breaches >= g.consecutive_breaches;
    if (v.result == GateResult::kFail) {
      if (g.dry_run || breached) Record(g, v);
      if (acts && breached && result_.failure.empty()) {
        result_.failure = v.summary;
      }
    }
    if (acts && v.result != GateResult::kPass) result_.all_pass = false;
    if (acts && v.result == GateResult::kInconclusive &&
        result_.inconclusive.empty()) {
      result_.inconclusive = v.summary;
    }
    if (final && v.result != GateResult::kFail) Record(g, v);
  }

  // True until `agent_grace` after agents could have reconnected to a
  // controller that (re)loaded its model.
  bool Warming() const {
    return ctx_.now < ctx_.AgentsBackBy() + ctx_.agent_grace;
  }

  // Whether the host converged and its agent has sent no health report
  // since: its first measurement of the change is still to come (agents
  // measure right after an apply).
  bool FreshSampleDue(const std::string& host) const {
    auto h = hosts_.find(host);
    return h != hosts_.end() && h->second.state == HostState::kConverged &&
           ctx_.agents->LastHealth(host) < h->second.updated;
  }

  // Whether a gate lacks a sample from a host whose agent is away but not
  // yet past its grace (or from any host while warming up), or from a host
  // whose first report since it converged is still due: that host will
  // either report or be failed, so there is no verdict yet. A host that
  // did report since converging, without this gate's sample, is missing
  // data, judged by the gate's policy.
  bool AwaitsAgents(const GateSpec& g, const GateInput& in) const {
    if (g.kind == GateKind::kFailedHosts) return false;
    auto awaited = [&](const std::string& host) {
      return Warming() || !ctx_.agents->Connected(host) || FreshSampleDue(host);
    };
    for (const auto& [host, value] : in.samples) {
      if (!value && awaited(host)) return true;
    }
    for (const auto& [host, series] : in.changed_series) {
      if (series.empty() && awaited(host)) return true;
    }
    return false;
  }

  // A breach counts once per new data: the reconciler evaluates every tick,
  // far more often than agents sample, and a tick that reads the same
  // samples again is the same breach, not another one in a row.
  bool NewBreach(const std::string& gate, const GateVerdict& v) {
    if (!v.data_at) return true;
    auto [seen, first] = rec_.gates.breach_data.try_emplace(gate, *v.data_at);
    if (first) return true;
    if (*v.data_at <= seen->second) return false;
    seen->second = *v.data_at;
    return true;
  }

  // Stores a verdict once per wave, gate and result.
  void Record(const GateSpec& g, const GateVerdict& v) {
    const std::string result(GateResultName(v.result));
    if (!rec_.gates.recorded
             .insert(absl::StrCat(r_.current_wave, "/", g.name, "/", result))
             .second) {
      return;
    }
    result_.verdicts.push_back(VerdictRecord{r_.id, r_.current_wave, g.name,
                                             result, v.summary, v.evidence_json,
                                             g.dry_run, ctx_.now});
  }

  RolloutRecord& rec_;
  const Rollout& r_;
  const std::map<std::string, RolloutHost>& hosts_;
  const StepContext& ctx_;
  GateRoundResult result_;
};

}  // namespace

GateRoundResult EvaluateGateRound(
    RolloutRecord& rec, const Rollout& rollout,
    const std::map<std::string, RolloutHost>& hosts, const StepContext& ctx,
    bool final) {
  return GateRound(rec, rollout, hosts, ctx).Run(final);
}

}  // namespace swell::controller
