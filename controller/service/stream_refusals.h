#pragma once

// Agent streams the controller refuses for who they are, rather than for
// what they send: counted by reason for /metrics, and logged once per peer
// so that an impostor retrying in a loop costs one log line, not one a
// second.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

namespace swell::controller {

enum class StreamRefusal {
  kIdentity,       // the hello names another host than the certificate
  kNoCertificate,  // no verified certificate with exactly one DNS name
  kRevoked,        // the host is revoked (swellctl hosts revoke)
  kCapacity,       // the controller serves --max_agent_streams already
};
inline constexpr size_t kStreamRefusalCount = 4;

// "identity", "no_certificate", "revoked", "capacity": the metric's reason
// label.
std::string_view StreamRefusalName(StreamRefusal r);

// Thread-safe. Memory is bounded: at most `max_peers` peers are remembered;
// past that, refusals of peers not yet seen are counted and not logged.
class StreamRefusals {
 public:
  explicit StreamRefusals(size_t max_peers = 4096) : max_peers_(max_peers) {}

  // Counts one refusal of `peer` (a certificate's name, a host id or an
  // address) for `reason`; logs `why` at warning level the first time this
  // peer is refused for this reason. True when it logged.
  bool Refused(StreamRefusal reason, const std::string& peer,
               const absl::Status& why);

  uint64_t count(StreamRefusal reason) const {
    return counts_[static_cast<size_t>(reason)].load();
  }

 private:
  const size_t max_peers_;
  std::array<std::atomic<uint64_t>, kStreamRefusalCount> counts_{};
  absl::Mutex mu_;
  std::set<std::pair<StreamRefusal, std::string>> logged_ ABSL_GUARDED_BY(mu_);
  bool said_full_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace swell::controller
