#pragma once

// What a Mutation means, defined once for everything that applies one (the
// stores and the reconciler's model):
//
// - hosts, rollouts, rollout_hosts and desired are upserts under KeyOf: a
//   later entry with the same key replaces an earlier one whole;
// - desired_removed applies after desired, so a removal wins over an upsert
//   of the same (host, variable) anywhere in the mutation;
// - verdicts and audit are appended in order;
// - freeze, when set, replaces the fleet's freeze.
//
// A new part of Mutation is added to ForEachChange, AppendMutation and
// CompactMutation here; every ChangeHandlers then fails to compile until it
// handles the new kind.

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "controller/rollout/model.h"

namespace swell::controller {

// Keys view into their entry and live no longer than it.
using RolloutHostKey = std::pair<std::string_view, std::string_view>;
using DesiredKey = std::pair<std::string_view, std::string_view>;

inline std::string_view KeyOf(const Host& h) { return h.id; }
inline std::string_view KeyOf(const Rollout& r) { return r.id; }
// (rollout id, host id)
inline RolloutHostKey KeyOf(const RolloutHost& rh) {
  return {rh.rollout_id, rh.host_id};
}
// (host id, variable name)
inline DesiredKey KeyOf(const HostDesired& d) {
  return {d.host_id, d.spec.name()};
}

// An entry of Mutation::desired_removed: (host id, variable name).
using DesiredRemoved = std::pair<std::string, std::string>;

// The entries that upserting `entries` in order leaves standing: for each
// key, the last entry with it, in the order they stand in `entries`. The
// pointers point into `entries`.
template <typename T>
std::vector<const T*> LastUpserts(const std::vector<T>& entries) {
  absl::flat_hash_map<decltype(KeyOf(entries.front())), const T*> last;
  last.reserve(entries.size());
  for (const T& e : entries) last[KeyOf(e)] = &e;
  std::vector<const T*> kept;
  kept.reserve(last.size());
  for (const T& e : entries) {
    if (last[KeyOf(e)] == &e) kept.push_back(&e);
  }
  return kept;
}

// One handler per kind of entry, for ForEachChange, e.g.
// ChangeHandlers{[&](const Host& h) {...}, [&](const Rollout& r) {...}, ...}.
template <typename... Handler>
struct ChangeHandlers : Handler... {
  using Handler::operator()...;
};
// Spelled out: clang before 17 does not deduce an aggregate's arguments.
template <typename... Handler>
ChangeHandlers(Handler...) -> ChangeHandlers<Handler...>;

// Calls `handle` with each entry of `m` in the order the parts apply:
// hosts, rollouts, rollout_hosts, desired, desired_removed (each a
// DesiredRemoved), verdicts, audit, then the freeze if set. Upserting each
// keyed entry under its KeyOf (Upsert, Remove) gives the semantics above.
template <typename Handle>
void ForEachChange(const Mutation& m, Handle&& handle) {
  for (const Host& h : m.hosts) handle(h);
  for (const Rollout& r : m.rollouts) handle(r);
  for (const RolloutHost& rh : m.rollout_hosts) handle(rh);
  for (const HostDesired& d : m.desired) handle(d);
  for (const DesiredRemoved& r : m.desired_removed) handle(r);
  for (const VerdictRecord& v : m.verdicts) handle(v);
  for (const AuditEvent& a : m.audit) handle(a);
  if (m.freeze.has_value()) handle(*m.freeze);
}

// Entries held in memory by their key, or by the two halves of a pair key
// (FleetState::hosts, FleetState::desired).
template <typename T>
using ByKey = std::map<std::string, T>;
template <typename T>
using ByKeyPair = std::map<std::string, std::map<std::string, T>>;

// Stores `entry` under KeyOf(entry), replacing whatever had that key.
template <typename T>
void Upsert(T entry, ByKey<T>* entries) {
  std::string key(KeyOf(entry));
  (*entries)[std::move(key)] = std::move(entry);
}
template <typename T>
void Upsert(T entry, ByKeyPair<T>* entries) {
  auto [outer, inner] = KeyOf(entry);
  std::string inner_key(inner);
  (*entries)[std::string(outer)][std::move(inner_key)] = std::move(entry);
}

// Removes the entry under `key`, if any; an outer key left with no entry is
// dropped, as if it had never been stored.
template <typename T>
void Remove(std::pair<std::string_view, std::string_view> key,
            ByKeyPair<T>* entries) {
  auto outer = entries->find(std::string(key.first));
  if (outer == entries->end()) return;
  outer->second.erase(std::string(key.second));
  if (outer->second.empty()) entries->erase(outer);
}

// Appends every part of `from` to `into`, after the entries already there;
// a freeze in `from` replaces one in `into`. As desired_removed applies
// after desired, a removal in `into` also removes a value `from` sets again.
void AppendMutation(Mutation from, Mutation* into);

// Keeps only the last upsert of each key (LastUpserts), so that one
// transaction never writes a row twice. What `m` does is unchanged.
void CompactMutation(Mutation* m);

}  // namespace swell::controller
