#include "cli/failover.h"

#include <algorithm>

namespace swell::cli {

AttemptEnd ClassifySentAttempt(absl::StatusCode code, bool leader_trailer) {
  switch (code) {
    case absl::StatusCode::kUnavailable:
      return leader_trailer ? AttemptEnd::kNotLeader
                            : AttemptEnd::kUnavailableAfterSend;
    case absl::StatusCode::kDeadlineExceeded:
      return AttemptEnd::kTimedOut;
    case absl::StatusCode::kAborted:
      return AttemptEnd::kAborted;
    default:
      return AttemptEnd::kAnswered;
  }
}

bool TryNextAddress(CallKind kind, AttemptEnd end) {
  switch (end) {
    case AttemptEnd::kNotConnected:
    case AttemptEnd::kNotLeader:
    case AttemptEnd::kAborted:
      return true;
    case AttemptEnd::kUnavailableAfterSend:
      return kind == CallKind::kRead;
    case AttemptEnd::kAnswered:
    case AttemptEnd::kOutOfTime:
    case AttemptEnd::kTimedOut:
      return false;
  }
  return false;
}

bool MayHaveBeenApplied(CallKind kind, AttemptEnd end) {
  return kind == CallKind::kChange &&
         (end == AttemptEnd::kUnavailableAfterSend ||
          end == AttemptEnd::kTimedOut);
}

absl::Duration PauseBeforePass(int pass, absl::Duration initial,
                               absl::Duration max, double uniform01) {
  absl::Duration ceiling = std::min(initial, max);
  for (int i = 1; i < pass && ceiling < max; ++i) {
    ceiling = std::min(max, ceiling * 2);
  }
  return ceiling * uniform01;
}

std::vector<size_t> PassOrder(size_t count, size_t first) {
  std::vector<size_t> order;
  order.reserve(count);
  for (size_t i = 0; i < count; ++i) order.push_back((first + i) % count);
  return order;
}

void MoveUpInPass(std::vector<size_t>* order, size_t next, size_t index) {
  if (next >= order->size()) return;
  const auto first = order->begin() + static_cast<std::ptrdiff_t>(next);
  const auto it = std::find(first, order->end(), index);
  if (it != order->end()) std::rotate(first, it, it + 1);
}

}  // namespace swell::cli
