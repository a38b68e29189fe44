#include "controller/rollout/fleet.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "controller/rollout/mutation.h"

namespace swell::controller {

namespace {

// The plan of a stored rollout, resolved against its own policy when it has
// one, else against `current`.
absl::StatusOr<Plan> StoredPlan(const std::string& id, const Rollout& rollout,
                                const PolicySet& current) {
  PolicySet own;
  if (!rollout.policy_yaml.empty()) {
    PolicyParseResult policy = ParseStoredPolicy(rollout.policy_yaml);
    if (!policy.ok()) {
      return absl::DataLossError(absl::StrCat(
          "stored policy of rollout ", id,
          " does not parse: ", policy.errors.front().ToString("policy")));
    }
    absl::Status added = own.Add(std::move(policy.policy));
    if (!added.ok()) return added;  // impossible: the set was empty
  }
  PlanParseResult parsed =
      ParsePlan(rollout.plan_yaml, own.empty() ? current : own);
  if (!parsed.ok()) {
    return absl::DataLossError(
        absl::StrCat("stored plan of rollout ", id, " does not parse: ",
                     parsed.errors.front().ToString(rollout.plan_file)));
  }
  return std::move(parsed.plan);
}

}  // namespace

bool IsActive(const Rollout& r) { return !IsTerminal(r.state); }

absl::StatusOr<Fleet> BuildFleet(FleetState state) {
  return BuildFleet(std::move(state), PolicySet());
}

absl::StatusOr<Fleet> BuildFleet(FleetState state, const PolicySet& policies) {
  Fleet fleet;
  fleet.hosts = std::move(state.hosts);
  fleet.desired = std::move(state.desired);
  fleet.freeze = std::move(state.freeze);
  for (auto& [id, rollout] : state.rollouts) {
    absl::StatusOr<Plan> plan = StoredPlan(id, rollout, policies);
    if (!plan.ok()) return plan.status();
    RolloutRecord rec;
    rec.rollout = std::move(rollout);
    rec.plan = *std::move(plan);
    for (auto& rh : state.rollout_hosts[id]) {
      std::string host = rh.host_id;
      rec.hosts.emplace(std::move(host), std::move(rh));
    }
    fleet.rollouts.emplace(id, std::move(rec));
  }
  return fleet;
}

void ApplyMutation(const Mutation& m, const std::map<std::string, Plan>& plans,
                   Fleet* fleet) {
  ForEachChange(
      m, ChangeHandlers{
             [&](const Host& h) { Upsert(h, &fleet->hosts); },
             [&](const Rollout& r) {
               auto [it, added] = fleet->rollouts.try_emplace(r.id);
               it->second.rollout = r;
               if (!added) return;
               auto plan = plans.find(r.id);
               if (plan != plans.end()) it->second.plan = plan->second;
             },
             [&](const RolloutHost& rh) {
               // Keyed by host id within its rollout's record.
               auto it = fleet->rollouts.find(rh.rollout_id);
               if (it != fleet->rollouts.end()) {
                 it->second.hosts[rh.host_id] = rh;
               }
             },
             [&](const HostDesired& d) { Upsert(d, &fleet->desired); },
             [&](const DesiredRemoved& r) { Remove(r, &fleet->desired); },
             // Verdicts and audit events are kept by the store alone.
             [](const VerdictRecord&) {},
             [](const AuditEvent&) {},
             [&](const Freeze& f) { fleet->freeze = f; },
         });
}

swell::v1::DesiredState DesiredStateFor(const Fleet& fleet,
                                        const std::string& host) {
  swell::v1::DesiredState out;
  out.set_host_id(host);
  auto h = fleet.hosts.find(host);
  if (h != fleet.hosts.end()) out.set_generation(h->second.desired_generation);

  std::set<std::string> enforced;
  auto d = fleet.desired.find(host);
  if (d != fleet.desired.end()) {
    for (const auto& [name, hd] : d->second) {
      auto* v = out.add_variables();
      *v->mutable_spec() = hd.spec;
      v->set_enforce(true);
      *v->mutable_value() = hd.value;
      enforced.insert(name);
    }
  }
  for (const auto& [id, rec] : fleet.rollouts) {
    if (!IsActive(rec.rollout)) continue;
    auto rh = rec.hosts.find(host);
    if (rh == rec.hosts.end()) continue;
    if (rh->second.state != HostState::kWaiting &&
        rh->second.state != HostState::kAdmitting) {
      continue;
    }
    if (!enforced.insert(rec.rollout.variable).second) continue;
    auto* v = out.add_variables();
    *v->mutable_spec() = rec.rollout.spec;
    v->set_enforce(false);
  }
  return out;
}

}  // namespace swell::controller
