#pragma once

// Model records for store tests, with every field set to something a
// careless store would lose: NUL and non-UTF-8 bytes in byte fields,
// non-ASCII text, infinite and pre-1970 times, negative numbers.

#include <string>

#include "absl/time/time.h"
#include "controller/rollout/model.h"

namespace swell::controller {

// A time that survives storage exactly (whole microseconds).
absl::Time MicrosTime(int64_t micros);

Host SampleHost(std::string id);
Rollout SampleRollout(std::string id);
RolloutHost SampleRolloutHost(std::string rollout_id, std::string host_id,
                              int wave);
HostDesired SampleDesired(std::string host_id, std::string variable);
VerdictRecord SampleVerdict(std::string rollout_id, std::string gate);
AuditEvent SampleAudit(std::string rollout_id, std::string action);
Freeze SampleFreeze();

// One mutation holding at least one of every record, referring only to the
// hosts and rollouts it carries itself.
Mutation SampleMutation();

}  // namespace swell::controller
