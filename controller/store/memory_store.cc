#include "controller/store/memory_store.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "controller/rollout/mutation.h"
#include "controller/store/store_values.h"

namespace swell::controller {
namespace {

// Each Stored* returns its argument as PostgresStore would read it back.

Host StoredHost(Host h) {
  h.first_seen = StoredTime(h.first_seen);
  h.last_seen = StoredTime(h.last_seen);
  h.retired_at = StoredTime(h.retired_at);
  h.revoked_at = StoredTime(h.revoked_at);
  return h;
}

HostDesired StoredDesired(HostDesired d) {
  d.value = StoredValue(d.value);
  return d;
}

Rollout StoredRollout(Rollout r) {
  r.new_value = StoredValue(r.new_value);
  r.phase_started = StoredTime(r.phase_started);
  r.created = StoredTime(r.created);
  r.updated = StoredTime(r.updated);
  return r;
}

RolloutHost StoredRolloutHost(RolloutHost rh) {
  rh.previous = StoredValue(rh.previous);
  rh.updated = StoredTime(rh.updated);
  return rh;
}

VerdictRecord StoredVerdict(VerdictRecord v) {
  v.at = StoredTime(v.at);
  return v;
}

AuditEvent StoredAudit(AuditEvent a) {
  a.at = StoredTime(a.at);
  return a;
}

Freeze StoredFreeze(Freeze f) {
  f.since = StoredTime(f.since);
  f.expires = StoredTime(f.expires);
  return f;
}

template <typename T>
bool AnyHasKey(const std::vector<T>& entries, std::string_view key) {
  return std::any_of(entries.begin(), entries.end(),
                     [&](const T& e) { return KeyOf(e) == key; });
}

}  // namespace

absl::Status MemoryStore::Migrate() { return absl::OkStatus(); }

absl::StatusOr<FleetState> MemoryStore::Load() {
  FleetState state;
  state.hosts = hosts_;
  state.desired = desired_;
  state.rollouts = rollouts_;
  for (const auto& [rollout_id, by_host] : rollout_hosts_) {
    std::vector<RolloutHost>& rows = state.rollout_hosts[rollout_id];
    rows.reserve(by_host.size());
    for (const auto& [host_id, row] : by_host) rows.push_back(row);
    std::stable_sort(rows.begin(), rows.end(),
                     [](const RolloutHost& a, const RolloutHost& b) {
                       return a.wave < b.wave;
                     });
  }
  state.freeze = freeze_;
  return state;
}

absl::Status MemoryStore::CheckRelations(const Mutation& m) const {
  auto host_known = [&](std::string_view id) {
    return hosts_.count(std::string(id)) > 0 || AnyHasKey(m.hosts, id);
  };
  auto rollout_known = [&](std::string_view id) {
    return rollouts_.count(std::string(id)) > 0 || AnyHasKey(m.rollouts, id);
  };
  for (size_t i = 0; i < m.rollout_hosts.size(); ++i) {
    const RolloutHost& rh = m.rollout_hosts[i];
    if (!rollout_known(rh.rollout_id)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "rollout_hosts[", i, "] refers to unknown rollout ", rh.rollout_id));
    }
    if (!host_known(rh.host_id)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "rollout_hosts[", i, "] refers to unknown host ", rh.host_id));
    }
  }
  for (size_t i = 0; i < m.desired.size(); ++i) {
    if (!host_known(m.desired[i].host_id)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "desired[", i, "] refers to unknown host ", m.desired[i].host_id));
    }
  }
  for (size_t i = 0; i < m.verdicts.size(); ++i) {
    if (!rollout_known(m.verdicts[i].rollout_id)) {
      return absl::InvalidArgumentError(
          absl::StrCat("verdicts[", i, "] refers to unknown rollout ",
                       m.verdicts[i].rollout_id));
    }
  }
  return absl::OkStatus();
}

absl::Status MemoryStore::Commit(const Mutation& m) {
  if (!next_commit_error_.ok()) {
    return std::exchange(next_commit_error_, absl::OkStatus());
  }
  SWELL_RETURN_IF_ERROR(CheckStorable(m));
  SWELL_RETURN_IF_ERROR(CheckRelations(m));

  ForEachChange(
      m, ChangeHandlers{
             [&](const Host& h) { Upsert(StoredHost(h), &hosts_); },
             [&](const Rollout& r) { Upsert(StoredRollout(r), &rollouts_); },
             [&](const RolloutHost& rh) {
               Upsert(StoredRolloutHost(rh), &rollout_hosts_);
             },
             [&](const HostDesired& d) { Upsert(StoredDesired(d), &desired_); },
             [&](const DesiredRemoved& r) { Remove(r, &desired_); },
             [&](const VerdictRecord& v) {
               verdicts_.push_back(StoredVerdict(v));
             },
             [&](const AuditEvent& a) { audit_.push_back(StoredAudit(a)); },
             [&](const Freeze& f) { freeze_ = StoredFreeze(f); },
         });
  ++commits_;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<VerdictRecord>> MemoryStore::Verdicts(
    std::string_view rollout_id) {
  SWELL_RETURN_IF_ERROR(CheckText("rollout_id", rollout_id));
  std::vector<VerdictRecord> out;
  for (const VerdictRecord& v : verdicts_) {
    if (v.rollout_id == rollout_id) out.push_back(v);
  }
  return out;
}

absl::StatusOr<std::vector<AuditEvent>> MemoryStore::Audit(
    std::string_view rollout_id, int limit) {
  SWELL_RETURN_IF_ERROR(CheckText("rollout_id", rollout_id));
  if (limit < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("audit limit ", limit, " is negative"));
  }
  std::vector<AuditEvent> newest_first;
  for (auto it = audit_.rbegin();
       it != audit_.rend() && newest_first.size() < static_cast<size_t>(limit);
       ++it) {
    if (rollout_id.empty() || it->rollout_id == rollout_id) {
      newest_first.push_back(*it);
    }
  }
  return std::vector<AuditEvent>(newest_first.rbegin(), newest_first.rend());
}

}  // namespace swell::controller
