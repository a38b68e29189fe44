#include "controller/rollout/mutation.h"

#include <iterator>

namespace swell::controller {
namespace {

template <typename T>
void Append(std::vector<T>& from, std::vector<T>* into) {
  into->insert(into->end(), std::make_move_iterator(from.begin()),
               std::make_move_iterator(from.end()));
}

template <typename T>
void KeepLastUpserts(std::vector<T>* entries) {
  std::vector<const T*> last = LastUpserts(*entries);
  if (last.size() == entries->size()) return;
  std::vector<T> kept;
  kept.reserve(last.size());
  for (const T* e : last) {
    kept.push_back(std::move((*entries)[e - entries->data()]));
  }
  *entries = std::move(kept);
}

}  // namespace

void AppendMutation(Mutation from, Mutation* into) {
  Append(from.hosts, &into->hosts);
  Append(from.rollouts, &into->rollouts);
  Append(from.rollout_hosts, &into->rollout_hosts);
  Append(from.desired, &into->desired);
  Append(from.desired_removed, &into->desired_removed);
  Append(from.verdicts, &into->verdicts);
  Append(from.audit, &into->audit);
  if (from.freeze.has_value()) into->freeze = std::move(from.freeze);
}

void CompactMutation(Mutation* m) {
  KeepLastUpserts(&m->hosts);
  KeepLastUpserts(&m->rollouts);
  KeepLastUpserts(&m->rollout_hosts);
  KeepLastUpserts(&m->desired);
}

}  // namespace swell::controller
