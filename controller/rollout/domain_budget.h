#pragma once

// The failure-domain budget (strategy.domain_budget): never more than a
// share of a domain (the hosts sharing a value of a label, e.g. one site)
// under change at once, across every active rollout. Pure.

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "controller/plan/plan.h"
#include "controller/rollout/fleet.h"
#include "controller/rollout/model.h"

namespace swell::controller {

// Whether a host of an active rollout in state `s` is under change: from
// admission until it converged (admitting, applying), and while it is
// failed or rolling back. A converged host is done, so a wave larger than
// the budget proceeds in batches instead of waiting for itself.
bool IsUnderChange(HostState s);

// The hosts under change in every active rollout of `fleet` except
// `skip_rollout` (whose hosts the caller adds from its own working copy).
std::set<std::string> HostsUnderChange(const Fleet& fleet,
                                       std::string_view skip_rollout);

struct BudgetDecision {
  std::vector<std::string> admit;  // candidates that may be admitted now
  size_t waiting = 0;              // candidates that must wait
  // Why the first waiting candidate waits, e.g. "site b has 2 of 20 hosts
  // under change, budget 10%"; empty when none waits.
  std::string reason;
};

// Which `candidates`, taken in order, may be admitted now without putting
// more than budget.max of any domain under change. A domain's size is the
// number of `hosts` in it; its allowance is budget.max of that, rounded
// down but at least 1 so that a small domain can still change. Hosts
// without the label are not budgeted. A candidate that would exceed its
// domain's allowance waits; later candidates of other domains may still be
// admitted. An empty budget.label admits every candidate.
BudgetDecision CheckDomainBudget(const DomainBudget& budget,
                                 const std::map<std::string, Host>& hosts,
                                 const std::set<std::string>& under_change,
                                 const std::vector<std::string>& candidates);

// CheckDomainBudget for the waiting hosts of wave `wave` (0-based) of
// rollout `rollout_id`, whose hosts are `hosts` (the caller's working
// copy), counting hosts under change in `hosts` and in every other active
// rollout of `fleet`. The reason, when some wait, reads "waiting: site b
// has 2 of 20 hosts under change, budget 10%; 5 host(s) of wave 3 wait for
// the budget".
BudgetDecision AdmissibleNow(const Fleet& fleet, std::string_view rollout_id,
                             const DomainBudget& budget,
                             const std::map<std::string, RolloutHost>& hosts,
                             int wave);

}  // namespace swell::controller
