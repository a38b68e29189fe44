#include "cli/controller_client.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"

namespace swell::cli {

ControllerClient::ControllerClient(Options options)
    : addresses_(options.addresses), options_(std::move(options)) {
  if (addresses_.empty()) {
    std::fprintf(stderr, "FATAL: ControllerClient needs an address\n");
    std::abort();
  }
  endpoints_.reserve(addresses_.size());
  for (const std::string& address : addresses_) {
    endpoints_.emplace_back(address, options_.credentials);
  }
  if (!options_.uniform01) {
    options_.uniform01 = [gen = std::make_shared<absl::BitGen>()] {
      return absl::Uniform(*gen, 0.0, 1.0);
    };
  }
}

const std::string& ControllerClient::current_address() const {
  return addresses_[preferred_];
}

absl::Status ControllerClient::Attempt(size_t index, absl::Time deadline,
                                       Send send, AttemptEnd* end,
                                       std::string* leader) {
  ControllerEndpoint& endpoint = endpoints_[index];
  const absl::Duration left = deadline - options_.clock->Now();
  if (absl::Status connected =
          endpoint.Connect(std::min(left, options_.connect_wait));
      !connected.ok()) {
    // Still connecting when the wait ended: the call's time is up if the
    // wait was all that was left.
    *end = absl::IsDeadlineExceeded(connected) && left <= options_.connect_wait
               ? AttemptEnd::kOutOfTime
               : AttemptEnd::kNotConnected;
    return absl::UnavailableError(connected.message());
  }
  grpc::ClientContext context;
  context.set_deadline(
      std::chrono::system_clock::now() +
      absl::ToChronoMilliseconds(deadline - options_.clock->Now()));
  if (!options_.token.empty()) {
    context.AddMetadata("authorization",
                        absl::StrCat("Bearer ", options_.token));
  }
  const grpc::Status status = send(endpoint.stub(), context);
  const auto& trailers = context.GetServerTrailingMetadata();
  const auto trailer = trailers.find(kLeaderTrailer);
  const bool refused_as_follower = trailer != trailers.end();
  if (refused_as_follower) {
    leader->assign(trailer->second.data(), trailer->second.size());
  }
  const auto code = static_cast<absl::StatusCode>(status.error_code());
  *end = ClassifySentAttempt(code, refused_as_follower);
  return absl::Status(code, status.error_message());
}

absl::Status ControllerClient::CallWithFailover(CallKind kind, Send send) {
  const common::Clock& clock = *options_.clock;
  const absl::Time deadline = clock.Now() + options_.timeout;
  last_call_ = CallTrace();
  absl::Status status;
  for (int pass = 0;; ++pass) {
    if (pass > 0) {
      const absl::Duration pause =
          PauseBeforePass(pass, options_.pause_initial, options_.pause_max,
                          options_.uniform01());
      if (clock.Now() + pause >= deadline) return status;
      options_.sleep(pause);
    }
    std::vector<size_t> order = PassOrder(endpoints_.size(), preferred_);
    for (size_t k = 0; k < order.size(); ++k) {
      const size_t index = order[k];
      const std::string& address = addresses_[index];
      const bool tried_before =
          std::find(last_call_.tried.begin(), last_call_.tried.end(),
                    address) != last_call_.tried.end();
      AttemptEnd end = AttemptEnd::kAnswered;
      std::string leader;
      absl::Status attempt = Attempt(index, deadline, send, &end, &leader);
      // The time ran out while connecting again to an address that already
      // failed: "not connected within 2ms" would hide the error seen before.
      if (end == AttemptEnd::kOutOfTime && tried_before) return status;
      status = std::move(attempt);
      if (!tried_before) last_call_.tried.push_back(address);
      last_call_.last = address;

      if (!TryNextAddress(kind, end)) {
        if (end == AttemptEnd::kAnswered) preferred_ = index;
        // A replica that took all the time is not where the next call (the
        // next poll of a watch) starts.
        if (end == AttemptEnd::kTimedOut) {
          preferred_ = (index + 1) % endpoints_.size();
        }
        last_call_.may_have_been_applied = MayHaveBeenApplied(kind, end);
        return status;
      }
      // A replica that named the leader: ask that one next.
      const auto named =
          std::find(addresses_.begin(), addresses_.end(), leader);
      if (!leader.empty() && named != addresses_.end()) {
        MoveUpInPass(&order, k + 1,
                     static_cast<size_t>(named - addresses_.begin()));
      }
      if (clock.Now() >= deadline) return status;
    }
  }
}

template <typename Req, typename Resp>
absl::StatusOr<Resp> ControllerClient::Call(CallKind kind,
                                            Method<Req, Resp> method,
                                            const Req& req) {
  Resp resp;
  absl::Status status =
      CallWithFailover(kind, [&](Stub& stub, grpc::ClientContext& context) {
        resp.Clear();
        return (stub.*method)(&context, req, &resp);
      });
  if (!status.ok()) return status;
  return resp;
}

absl::StatusOr<v1::SubmitResponse> ControllerClient::Submit(
    const v1::SubmitRequest& req) {
  return Call(CallKind::kChange, &Stub::Submit, req);
}
absl::StatusOr<v1::PreviewResponse> ControllerClient::Preview(
    const v1::PreviewRequest& req) {
  return Call(CallKind::kRead, &Stub::Preview, req);
}
absl::StatusOr<v1::ListRolloutsResponse> ControllerClient::ListRollouts(
    const v1::ListRolloutsRequest& req) {
  return Call(CallKind::kRead, &Stub::ListRollouts, req);
}
absl::StatusOr<v1::RolloutStatus> ControllerClient::GetRollout(
    const v1::GetRolloutRequest& req) {
  return Call(CallKind::kRead, &Stub::GetRollout, req);
}
absl::StatusOr<v1::RolloutStatus> ControllerClient::Halt(
    const v1::RolloutActionRequest& req) {
  return Call(CallKind::kChange, &Stub::Halt, req);
}
absl::StatusOr<v1::RolloutStatus> ControllerClient::Resume(
    const v1::RolloutActionRequest& req) {
  return Call(CallKind::kChange, &Stub::Resume, req);
}
absl::StatusOr<v1::RolloutStatus> ControllerClient::Rollback(
    const v1::RolloutActionRequest& req) {
  return Call(CallKind::kChange, &Stub::Rollback, req);
}
absl::StatusOr<v1::FreezeStatus> ControllerClient::Freeze(
    const v1::FreezeRequest& req) {
  return Call(CallKind::kChange, &Stub::Freeze, req);
}
absl::StatusOr<v1::FreezeStatus> ControllerClient::Unfreeze(
    const v1::FreezeRequest& req) {
  return Call(CallKind::kChange, &Stub::Unfreeze, req);
}
absl::StatusOr<v1::FreezeStatus> ControllerClient::GetFreeze(
    const v1::GetFreezeRequest& req) {
  return Call(CallKind::kRead, &Stub::GetFreeze, req);
}
absl::StatusOr<v1::ListHostsResponse> ControllerClient::ListHosts(
    const v1::ListHostsRequest& req) {
  return Call(CallKind::kRead, &Stub::ListHosts, req);
}
absl::StatusOr<v1::HostStatus> ControllerClient::RetireHost(
    const v1::RetireHostRequest& req) {
  return Call(CallKind::kChange, &Stub::RetireHost, req);
}
absl::StatusOr<v1::CreateTokenResponse> ControllerClient::CreateToken(
    const v1::CreateTokenRequest& req) {
  return Call(CallKind::kChange, &Stub::CreateToken, req);
}
absl::StatusOr<v1::ListTokensResponse> ControllerClient::ListTokens(
    const v1::ListTokensRequest& req) {
  return Call(CallKind::kRead, &Stub::ListTokens, req);
}
absl::StatusOr<v1::ApiTokenInfo> ControllerClient::RevokeToken(
    const v1::RevokeTokenRequest& req) {
  return Call(CallKind::kChange, &Stub::RevokeToken, req);
}
absl::StatusOr<v1::HostStatus> ControllerClient::RevokeHost(
    const v1::RevokeHostRequest& req) {
  return Call(CallKind::kChange, &Stub::RevokeHost, req);
}
absl::StatusOr<v1::HostStatus> ControllerClient::UnrevokeHost(
    const v1::UnrevokeHostRequest& req) {
  return Call(CallKind::kChange, &Stub::UnrevokeHost, req);
}

}  // namespace swell::cli
