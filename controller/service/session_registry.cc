#include "controller/service/session_registry.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace swell::controller {

absl::Status SessionRegistry::Revoked(const std::string& host,
                                      const std::string& reason) {
  return absl::PermissionDeniedError(
      absl::StrCat("host ", host, " is revoked: ", reason));
}

absl::Status SessionRegistry::Register(const std::string& host,
                                       DesiredStateSink* sink) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto r = revoked_.find(host); r != revoked_.end()) {
    return Revoked(host, r->second);
  }
  DesiredStateSink*& slot = sinks_[host];
  if (slot != nullptr && slot != sink) slot->Supersede();
  slot = sink;
  return absl::OkStatus();
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

void SessionRegistry::SetRevoked(std::map<std::string, std::string> revoked) {
  std::lock_guard<std::mutex> lock(mu_);
  revoked_ = std::move(revoked);
  for (const auto& [host, reason] : revoked_) {
    auto it = sinks_.find(host);
    // The sink stays registered until its stream's OnDone unregisters it.
    if (it != sinks_.end()) it->second->End(Revoked(host, reason));
  }
}

}  // namespace swell::controller
