#include "controller/service/stream_refusals.h"

#include <cstdio>
#include <cstdlib>

#include "spdlog/spdlog.h"

namespace swell::controller {

std::string_view StreamRefusalName(StreamRefusal r) {
  switch (r) {
    case StreamRefusal::kIdentity:
      return "identity";
    case StreamRefusal::kNoCertificate:
      return "no_certificate";
    case StreamRefusal::kRevoked:
      return "revoked";
    case StreamRefusal::kCapacity:
      return "capacity";
  }
  std::fprintf(stderr, "FATAL: invalid StreamRefusal value %d\n",
               static_cast<int>(r));
  std::abort();
}

bool StreamRefusals::Refused(StreamRefusal reason, const std::string& peer,
                             const absl::Status& why) {
  counts_[static_cast<size_t>(reason)]++;
  {
    absl::MutexLock lock(&mu_);
    if (logged_.count({reason, peer}) > 0) return false;
    if (logged_.size() >= max_peers_) {
      if (!said_full_) {
        said_full_ = true;
        spdlog::warn(
            "refused agent streams from more than {} peers; refusals of new "
            "peers are only counted in swell_agent_streams_refused_total",
            max_peers_);
      }
      return false;
    }
    logged_.emplace(reason, peer);
  }
  spdlog::warn(
      "refused an agent stream ({}) from {}: {}; further refusals of this "
      "peer are only counted in swell_agent_streams_refused_total",
      StreamRefusalName(reason), peer, std::string(why.message()));
  return true;
}

}  // namespace swell::controller
