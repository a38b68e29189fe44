#include "controller/service/session_registry.h"

namespace swell::controller {

void SessionRegistry::Register(const std::string& host,
                               DesiredStateSink* sink) {
  std::lock_guard<std::mutex> lock(mu_);
  DesiredStateSink*& slot = sinks_[host];
  if (slot != nullptr && slot != sink) slot->Supersede();
  slot = sink;
}

void SessionRegistry::Unregister(const std::string& host,
                                 DesiredStateSink* sink) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sinks_.find(host);
  if (it != sinks_.end() && it->second == sink) sinks_.erase(it);
}

bool SessionRegistry::Push(const std::string& host,
                           const swell::v1::DesiredState& state) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sinks_.find(host);
  if (it == sinks_.end()) return false;
  it->second->PushDesired(state);
  return true;
}

size_t SessionRegistry::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sinks_.size();
}

}  // namespace swell::controller
