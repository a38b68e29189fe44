#pragma once

// Every field of the stored model as text, so that a test compares whole
// records field by field and a mismatch names the field.

#include <string>

#include "controller/rollout/model.h"

namespace swell::controller {

std::string Dump(const Host& h);
std::string Dump(const HostDesired& d);
std::string Dump(const Rollout& r);
std::string Dump(const RolloutHost& rh);
std::string Dump(const VerdictRecord& v);
std::string Dump(const AuditEvent& a);
std::string Dump(const Freeze& f);
// One line per record, in the FleetState's own order.
std::string Dump(const FleetState& s);

}  // namespace swell::controller
