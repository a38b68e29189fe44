#pragma once

// PromQL gates: what the controller asked Prometheus and what it answered.
// The asking happens on the PromqlPoller's thread; everything here is pure
// or a thread-safe store, so the reconciler decides without waiting on the
// network.

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace swell::controller {

// One series of an instant-query result: its labels as Prometheus prints
// them (`{host="h1",job="swell"}`, the metric name first if any) and its
// value (NaN and infinities included).
struct PromqlSeries {
  std::string labels;
  double value = 0;
};

// One answer to one query.
struct PromqlReading {
  std::string url;    // the Prometheus server asked
  std::string query;  // the query sent, placeholders expanded
  absl::Time at;      // when the answer arrived (controller clock)
  // Why there is no result: the server was unreachable, answered an
  // error, or returned something that is not an instant vector or a
  // scalar. Empty when `series` is the result.
  std::string error;
  std::vector<PromqlSeries> series;  // a scalar is one series, labels "{}"
};

// A query the controller should be asking, for one gate of one rollout.
struct PromqlTarget {
  std::string key;  // PromqlKey(rollout, gate)
  std::string url;
  std::string query;  // expanded
  absl::Duration interval = absl::Seconds(10);
  // The gate's ca_file and bearer_token_file (see PromqlSpec): paths,
  // read when the query is asked. The token itself is never held here.
  std::string ca_file;
  std::string bearer_token_file;

  bool operator==(const PromqlTarget&) const = default;
};

// How long the poller waits for one answer.
inline constexpr absl::Duration kPromqlTimeout = absl::Seconds(5);

std::string PromqlKey(const std::string& rollout_id, const std::string& gate);

// `query` with `{{rollout}}` replaced by `rollout_id` and `{{hosts}}` by an
// anchored-by-Prometheus regex alternation of `hosts` ("web-1|web-2"),
// each host's regex metacharacters escaped, and escaped again for a PromQL
// double-quoted string, so `host=~"{{hosts}}"` matches exactly those
// hosts. No hosts expand to `[^\\s\\S]`, a regex that matches no label
// value, not even an empty or missing one, so the selector selects
// nothing.
std::string ExpandPromqlQuery(const std::string& query,
                              const std::string& rollout_id,
                              const std::vector<std::string>& hosts);

// Reads a Prometheus HTTP API answer (/api/v1/query) into `reading`'s
// `series`, or sets its `error` saying what was wrong: a non-2xx status
// with Prometheus's error text, malformed JSON, "status":"error", or a
// result type other than vector or scalar.
void ReadPromqlResponse(int http_status, const std::string& body,
                        PromqlReading* reading);

// The newest reading of each target, written by the poller, read by the
// reconciler. Thread-safe.
class PromqlReadings {
 public:
  PromqlReadings() = default;
  // A copy of what `other` holds now: the tick decides on such a copy.
  PromqlReadings(const PromqlReadings& other);
  PromqlReadings& operator=(const PromqlReadings& other);

  void Put(const std::string& key, PromqlReading reading);
  std::optional<PromqlReading> Latest(const std::string& key) const;
  // Forgets readings whose key is not in `keys` (their rollout ended).
  void Retain(const std::set<std::string>& keys);

 private:
  mutable std::mutex mu_;
  std::map<std::string, PromqlReading> readings_;
};

}  // namespace swell::controller
