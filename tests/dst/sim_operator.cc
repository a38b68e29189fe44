#include "tests/dst/sim_operator.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "controller/plan/plan.h"
#include "controller/rollout/commands.h"
#include "tests/dst/sim_world.h"

namespace swell::dst {
namespace {

using controller::CommandContext;
using controller::Mutation;
using controller::Reconciler;
using controller::Request;

// As rollout_service.cc: "r-" + the submit time in hex milliseconds.
std::string NewRolloutId(const controller::Fleet& fleet, absl::Time now) {
  int64_t ms = absl::ToUnixMillis(now);
  std::string id;
  do {
    id = absl::StrFormat("r-%011x", ms++);
  } while (fleet.rollouts.count(id));
  return id;
}

}  // namespace

std::vector<std::string> SimOperator::Active() const {
  std::vector<std::string> ids;
  auto fleet = world_->Latest();
  if (fleet == nullptr) return ids;
  for (const auto& [id, rec] : fleet->rollouts) {
    if (controller::IsActive(rec.rollout)) ids.push_back(id);
  }
  return ids;
}

void SimOperator::Post(
    std::string what,
    std::function<absl::StatusOr<Mutation>(CommandContext&)> decide) {
  world_->Trace("operator posts ", what);
  World* world = world_;
  world_->Post(Reconciler::Command{
      std::move(decide), [world, what](const absl::Status& s) {
        world->Trace("operator's ", what, ": ", s.ok() ? "OK" : s.ToString());
      }});
}

void SimOperator::Act() {
  std::mt19937_64& rng = world_->rng();
  std::vector<std::string> active = Active();
  const std::string some =
      active.empty() ? "r-none"
                     : active[Between(rng, 0, int64_t(active.size()) - 1)];
  const int64_t pick = Between(rng, 0, 99);
  if (pick < 40) return Submit();
  if (pick < 55) return Halt(some);
  if (pick < 77) return Resume(some);
  if (pick < 85) return Rollback(some);
  if (pick < 90) return Freeze();
  return Unfreeze();
}

void SimOperator::Calm() {
  Unfreeze();
  auto fleet = world_->Latest();
  if (fleet == nullptr) return;
  for (const auto& [id, rec] : fleet->rollouts) {
    if (rec.rollout.state == controller::RolloutState::kHalted ||
        rec.rollout.state == controller::RolloutState::kPaused) {
      Resume(id);
    }
  }
}

std::string SimOperator::PlanYaml(int n) {
  std::mt19937_64& rng = world_->rng();
  const SimConfig& c = world_->config();
  const int var = static_cast<int>(Between(rng, 0, c.variables - 1));
  std::string value = absl::StrCat("v", Between(rng, 1, 4));
  if (Chance(rng, 0.3)) absl::StrAppend(&value, kBadSuffix);
  static const char* const kWaves[] = {"[1, 25%, 100%]", "[1, 50%, 100%]",
                                       "[10%, 100%]", "[2, 10%, 40%, 100%]",
                                       "[100%]"};
  std::string strategy =
      absl::StrCat("  waves: ", kWaves[Between(rng, 0, 4)],
                   "\n  bake: ", Between(rng, 3, 30),
                   "s\n  progress_deadline: ", Between(rng, 40, 120), "s\n");
  if (c.per_role)
    absl::StrAppend(&strategy, "  per_role: {label: role, max: 30%}\n");
  if (c.domain_budget) {
    absl::StrAppend(&strategy, "  domain_budget: {label: site, max: 20%}\n");
  }
  const std::string selector = Chance(rng, 0.3) ? "{role: web}" : "{}";
  return absl::StrCat(
      "name: dst-", n, "\nchange:\n  variable: var", var,
      "\n  kind: file\n  path: /etc/dst/var", var, "\n  content: \"", value,
      "\"\ntarget:\n  selector: ", selector, "\nstrategy:\n", strategy,
      "gates:\n  - name: up\n    check: \"min(up) >= 1\"\n"
      "    missing_data: hold\n"
      "  - name: no-failed-hosts\n    check: \"failed_hosts <= 0\"\n"
      "on_failure: rollback\non_inconclusive: ",
      Chance(rng, 0.5) ? "pause" : "rollback", "\n");
}

void SimOperator::Submit() {
  const int n = ++plans_;
  const std::string yaml = PlanYaml(n);
  const std::string file = absl::StrCat("dst-", n, ".yaml");
  auto plan = controller::ParsePlanOrStatus(yaml, file);
  if (!plan.ok()) {  // the sim writes only valid plans
    world_->Trace("BUG in the sim: ", plan.status().ToString());
    std::abort();
  }
  const uint32_t seed = static_cast<uint32_t>(world_->rng()());
  const std::string what =
      absl::StrCat("submit ", file, " (", plan->variable.name(), "=",
                   plan->value.data(), ")");
  World* world = world_;
  Post(what,
       [world, yaml, file, seed, plan = *std::move(plan)](
           CommandContext& c) -> absl::StatusOr<Mutation> {
         const std::string id = NewRolloutId(c.fleet, c.now);
         Request r{"dst-operator", "submitted", c.now};
         controller::PresenceView presence{c.now, &world->tracker(),
                                           absl::Hours(1)};
         auto m = controller::SubmitRollout(c.fleet, plan, nullptr, yaml, file,
                                            id, r, c.gens, seed, presence);
         if (m.ok()) (*c.new_plans)[id] = plan;
         return m;
       });
}

void SimOperator::Halt(const std::string& id) {
  Post(absl::StrCat("halt ", id),
       [id](CommandContext& c) -> absl::StatusOr<Mutation> {
         return controller::HaltRollout(c.fleet, id,
                                        Request{"dst-operator", "halt", c.now});
       });
}

void SimOperator::Resume(const std::string& id) {
  world_->NoteResume(id);
  Post(absl::StrCat("resume ", id),
       [id](CommandContext& c) -> absl::StatusOr<Mutation> {
         return controller::ResumeRollout(c.fleet, id,
                                          Request{"dst-operator", "", c.now});
       });
}

void SimOperator::Rollback(const std::string& id) {
  Post(absl::StrCat("rollback ", id),
       [id](CommandContext& c) -> absl::StatusOr<Mutation> {
         return controller::RollbackRollout(
             c.fleet, id, Request{"dst-operator", "rollback", c.now}, c.gens);
       });
}

void SimOperator::Freeze() {
  std::mt19937_64& rng = world_->rng();
  const int64_t expires_in_ms =
      Chance(rng, 0.5) ? 0 : Between(rng, 5'000, 120'000);
  Post(absl::StrCat("freeze (expires in ", expires_in_ms, " ms)"),
       [expires_in_ms](CommandContext& c) -> absl::StatusOr<Mutation> {
         absl::Time expires = expires_in_ms == 0
                                  ? absl::InfiniteFuture()
                                  : c.now + absl::Milliseconds(expires_in_ms);
         return controller::FreezeFleet(
             c.fleet, Request{"dst-operator", "freeze", c.now}, expires);
       });
}

void SimOperator::Unfreeze() {
  Post("unfreeze", [](CommandContext& c) -> absl::StatusOr<Mutation> {
    return controller::UnfreezeFleet(c.fleet,
                                     Request{"dst-operator", "", c.now});
  });
}

}  // namespace swell::dst
