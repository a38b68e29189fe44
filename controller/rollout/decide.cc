#include "controller/rollout/decide.h"

#include <utility>

#include "controller/rollout/host_lifecycle.h"
#include "controller/rollout/mutation.h"
#include "controller/rollout/rollout_step.h"

namespace swell::controller {
namespace {

// Applies `part` to the model at once, so that the next part of the tick
// sees it, and keeps it for the commit.
void Take(Mutation part, const std::map<std::string, Plan>& plans,
          TickOutput* out) {
  ApplyMutation(part, plans, &out->fleet);
  AppendMutation(std::move(part), &out->mutation);
}

}  // namespace

TickOutput Decide(Fleet fleet, const TickInput& input) {
  TickOutput out;
  out.fleet = std::move(fleet);
  const absl::Time now = input.now;
  GenerationPlan gens(&out.fleet);
  std::map<std::string, Plan> plans;  // of the rollouts created this tick

  // Host records: hellos, disconnects (last_seen, retired hosts coming
  // back), and now and then the last_seen of agents that stay connected.
  for (const auto& hello : input.hellos) out.push.insert(hello.host_id());
  Mutation heard = HostsHeard(out.fleet.hosts, input.hellos, input.gone, now);
  if (input.refresh_last_seen && input.agents != nullptr) {
    for (Host& h : RefreshLastSeen(out.fleet.hosts, *input.agents, now,
                                   kLastSeenRefreshAfter)) {
      heard.hosts.push_back(std::move(h));
    }
  }
  Take(std::move(heard), plans, &out);

  CommandContext ctx{out.fleet, &gens, now, &plans};
  out.commands.reserve(input.commands.size());
  for (const CommandDecision& decide : input.commands) {
    absl::StatusOr<Mutation> m = decide(ctx);
    out.commands.push_back(m.status());
    if (m.ok()) Take(*std::move(m), plans, &out);
  }

  if (out.fleet.freeze.active && now >= out.fleet.freeze.expires) {
    Mutation lifted;
    lifted.freeze = Freeze{};
    lifted.audit.push_back(AuditEvent{now, "swell-controller", "unfreeze", "",
                                      "the freeze expired"});
    Take(std::move(lifted), plans, &out);
  }

  StepContext sc;
  sc.fleet = &out.fleet;
  sc.agents = input.agents;
  sc.health = input.health;
  sc.now = now;
  sc.agent_grace = input.agent_grace;
  sc.agent_reconnect = input.agent_reconnect;
  sc.started = input.started;
  sc.agents_back_by = input.agents_back_by;
  sc.promql = input.promql;
  for (auto& [id, rec] : out.fleet.rollouts) {
    if (!IsActive(rec.rollout)) continue;
    ++out.active_rollouts;
    Mutation step;
    StepRollout(rec, sc, &gens, &step);
    Take(std::move(step), plans, &out);
  }

  for (const auto& [host, generation] : gens.touched()) {
    Host& h = out.fleet.hosts[host];
    h.id = host;
    h.desired_generation = generation;
    out.mutation.hosts.push_back(h);
    out.push.insert(host);
  }
  if (!out.mutation.empty()) CompactMutation(&out.mutation);
  return out;
}

}  // namespace swell::controller
