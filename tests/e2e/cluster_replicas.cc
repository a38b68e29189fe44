// Cluster's controller replicas beyond the first (cluster.h).

#include <csignal>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/e2e/cluster.h"
#include "tests/support/fixture_util.h"

namespace swell::e2e {
namespace {

std::string LoopbackAddress() {
  absl::StatusOr<int> port = test_support::FreeLoopbackPort();
  if (!port.ok()) ADD_FAILURE() << port.status();
  return absl::StrCat("127.0.0.1:", port.ok() ? *port : 1);
}

}  // namespace

absl::Status Cluster::StartReplica(int i,
                                   const std::vector<std::string>& extra_args) {
  if (!pki_status_.ok()) return pki_status_;
  if (i < 1)
    return absl::InvalidArgumentError("replica 0 is StartController's");
  Replica& r = replicas_[i];
  if (r.address.empty()) {
    r.address = LoopbackAddress();
    r.api_address = LoopbackAddress();
    r.pull_address = LoopbackAddress();
  }
  std::vector<std::string> args =
      ControllerArgs(r.address, r.api_address, r.pull_address);
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  auto child =
      ChildProcess::Start(args, absl::StrCat(dir_, "/controller-", i, ".log"));
  if (!child.ok()) return child.status();
  r.process = *std::move(child);
  return absl::OkStatus();
}

void Cluster::SignalReplica(int i, int sig) {
  ChildProcess* p =
      i == 0 ? controller_.get()
             : (replicas_.count(i) ? replicas_[i].process.get() : nullptr);
  if (p != nullptr) p->Signal(sig);
}

bool Cluster::ReplicaRunning(int i) {
  ChildProcess* p =
      i == 0 ? controller_.get()
             : (replicas_.count(i) ? replicas_[i].process.get() : nullptr);
  return p != nullptr && p->Running();
}

std::string Cluster::ReplicaLog(int i) const {
  std::ifstream in(i == 0 ? dir_ + "/controller.log"
                          : absl::StrCat(dir_, "/controller-", i, ".log"));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void Cluster::UseApiOf(int i) {
  api_address_ = i == 0 ? first_api_address_ : replicas_[i].api_address;
}

void Cluster::UseApisOf(const std::vector<int>& replicas) {
  std::string list;
  for (int i : replicas) {
    absl::StrAppend(&list, list.empty() ? "" : ",",
                    i == 0 ? first_api_address_ : replicas_[i].api_address);
  }
  api_address_ = list;
}

std::string Cluster::AgentControllers() const {
  std::string out = address_;
  for (const auto& [i, r] : replicas_) absl::StrAppend(&out, ",", r.address);
  return out;
}

}  // namespace swell::e2e
