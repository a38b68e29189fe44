#pragma once

// Between the controller and swellctl: a replica that refuses a call
// because it does not lead answers UNAVAILABLE with this trailing metadata,
// whose value is the leader's API address as operators write it, or ""
// when it does not know. Its presence, not the message's text, tells
// swellctl that nothing was applied (cli/failover.h).

namespace swell::common {

inline constexpr char kLeaderTrailer[] = "swell-leader";

}  // namespace swell::common
