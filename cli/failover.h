#pragma once

// When a call to one controller replica fails, whether swellctl sends it to
// the next address, and how long it pauses between passes over them. Pure:
// the client (cli/controller_client.h) acts on these answers.
//
// The rule: a change (a mutating call) is sent again only when it certainly
// was not applied: the connection was never made, a replica said with
// kLeaderTrailer that it does not lead, or the controller answered ABORTED
// (its commit was refused: a deposed leader is fenced). A read may be sent
// again after any UNAVAILABLE too.

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/leader_trailer.h"

namespace swell::cli {

// A replica that does not lead refuses with kLeaderTrailer
// (common/leader_trailer.h), naming the leader's API address.
using common::kLeaderTrailer;

enum class CallKind {
  kRead,    // changes nothing: harmless to send twice
  kChange,  // mutating: sending it twice could apply it twice
};

// How one attempt, on one address, ended.
enum class AttemptEnd {
  // The controller answered: OK, or any code but UNAVAILABLE and
  // DEADLINE_EXCEEDED. The call ends with this answer.
  kAnswered,
  // No connection could be made (refused, unreachable, TLS handshake
  // failed, not within the wait): the request was never sent.
  kNotConnected,
  // The call's time ran out while still connecting: the request was never
  // sent, and nothing was learnt about the address.
  kOutOfTime,
  // UNAVAILABLE with kLeaderTrailer: a replica that does not lead refused.
  kNotLeader,
  // ABORTED: the controller's commit was refused, as a deposed leader's is
  // ("fenced: ..."), and nothing was applied; the code says to retry.
  kAborted,
  // UNAVAILABLE after the request was sent: the connection broke, or the
  // controller could not act (shutting down, not loaded, database away).
  // A change may have been applied.
  kUnavailableAfterSend,
  // DEADLINE_EXCEEDED after the request was sent: a change may have been
  // applied, and the call's time is spent anyway.
  kTimedOut,
};

// What one call tried, for the report when it fails.
struct CallTrace {
  // Each address the call tried, once, in the order first tried.
  std::vector<std::string> tried;
  // The address whose attempt gave the call's status; "" when none did.
  std::string last;
  // The call was a change whose request was sent and whose outcome is
  // unknown (MayHaveBeenApplied).
  bool may_have_been_applied = false;
};

// The end of an attempt whose request was sent and came back with `code`;
// `leader_trailer` says whether kLeaderTrailer came with it.
AttemptEnd ClassifySentAttempt(absl::StatusCode code, bool leader_trailer);

// True when a call of `kind` whose attempt ended with `end` goes on to the
// next address; false when that attempt's status is the call's result.
bool TryNextAddress(CallKind kind, AttemptEnd end);

// True when a call of `kind` that failed with `end` may have been applied
// all the same: whoever runs it again must check first.
bool MayHaveBeenApplied(CallKind kind, AttemptEnd end);

// The pause before pass `pass` over the addresses (1 before the second):
// full jitter, uniform in [0, min(max, initial * 2^(pass-1))], drawn by
// `uniform01` in [0, 1).
absl::Duration PauseBeforePass(int pass, absl::Duration initial,
                               absl::Duration max, double uniform01);

// The indexes of one pass over `count` addresses, starting at `first`
// (the one that answered last) and wrapping around.
std::vector<size_t> PassOrder(size_t count, size_t first);

// Moves `index` to position `next` of `order` when it comes at or after
// `next`; otherwise (already tried in this pass, or not in it) leaves
// `order` alone, so that replicas naming each other cannot make a pass
// endless.
void MoveUpInPass(std::vector<size_t>* order, size_t next, size_t index);

}  // namespace swell::cli
