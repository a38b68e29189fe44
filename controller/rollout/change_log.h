#pragma once

// Which records of one shard of a map changed since a consumer last copied
// them, so that a tick's copy (AgentSnapshot, HealthSnapshot) costs what
// changed, not the fleet. Not thread-safe: its owner's shard lock guards it.

#include <cstdint>
#include <string>
#include <vector>

namespace swell::controller {

class ChangeLog {
 public:
  // Numbers a change of the record under `key`, whose previous change was
  // numbered `previous` (0: none); the record keeps the number returned.
  uint64_t Note(const std::string& key, uint64_t previous) {
    if (previous <= drained_) listed_.push_back(key);
    return ++changes_;
  }
  uint64_t changes() const { return changes_; }

  // Calls visit(key, record) for every record changed after `*copied`, then
  // sets `*copied` to now; `record` is null for a listed key that is no
  // longer in `records`. The consumer that drained last is handed the keys
  // listed since; any other scans `records` (whose values have a `changed`
  // number), is not told of records removed since, and is told so by a
  // false return. Either way the list is emptied, and the consumer becomes
  // the one that drained last: the reconciler, the only consumer outside
  // tests, scans only for its first copy.
  template <typename Records, typename Visit>
  bool Drain(const Records& records, uint64_t* copied, Visit visit) {
    if (*copied == changes_) return true;
    const bool listed = *copied == drained_;
    if (listed) {
      for (const std::string& key : listed_) {
        auto it = records.find(key);
        visit(key, it == records.end() ? nullptr : &it->second);
      }
    } else {
      for (const auto& [key, record] : records) {
        if (record.changed > *copied) visit(key, &record);
      }
    }
    listed_.clear();
    drained_ = *copied = changes_;
    return listed;
  }

 private:
  uint64_t changes_ = 0;
  uint64_t drained_ = 0;  // changes_ when listed_ was last emptied
  std::vector<std::string> listed_;
};

}  // namespace swell::controller
