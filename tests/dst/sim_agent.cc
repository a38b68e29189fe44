#include "tests/dst/sim_agent.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/value.h"
#include "tests/dst/sim_world.h"

namespace swell::dst {

SimAgent::SimAgent(World* world, int index, std::string id,
                   std::map<std::string, std::string> labels, bool sick_prone,
                   std::map<std::string, swell::v1::Value> actual)
    : world_(world),
      index_(index),
      id_(std::move(id)),
      labels_(std::move(labels)),
      sick_prone_(sick_prone),
      actual_(std::move(actual)) {}

absl::Time SimAgent::Now() const { return world_->Now(); }

bool SimAgent::Sick() const {
  if (!sick_prone_) return false;
  for (const auto& [name, v] : actual_) {
    if (absl::EndsWith(v.data(), kBadSuffix)) return true;
  }
  return false;
}

swell::v1::Hello SimAgent::BuildHello() const {
  swell::v1::Hello hello;
  hello.set_host_id(id_);
  hello.mutable_labels()->insert(labels_.begin(), labels_.end());
  hello.set_agent_version("dst");
  // Like Enforcer::ReadActuals: the variables of the state it holds.
  for (const auto& var : held_.variables()) {
    swell::v1::ActualVariable* a = hello.add_actual();
    a->set_name(var.spec().name());
    auto it = actual_.find(var.spec().name());
    if (it != actual_.end()) *a->mutable_value() = it->second;
  }
  hello.set_last_generation(held_.generation());
  return hello;
}

void SimAgent::OnDesired(uint64_t stream,
                         const swell::v1::DesiredState& state) {
  if (!alive_ || stream != stream_) return;  // lost with its stream
  if (state.generation() < held_.generation()) {
    world_->Trace(id_, ": ignores generation ", state.generation(),
                  ", holding ", held_.generation());
    return;
  }
  if (state.generation() > held_.generation()) older_ = held_;
  held_ = state;
  world_->OnAgentReceived(index_, state);
  ScheduleEnforce(absl::Milliseconds(Between(world_->rng(), 50, 3000)));
}

void SimAgent::ScheduleEnforce(absl::Duration after) {
  const uint64_t token = ++enforce_token_;
  world_->At(Now() + after, [this, token] {
    if (token == enforce_token_) Enforce();
  });
}

// Converges every enforced variable of the state it holds, and reports
// each result and the actual value of each observe-only variable
// (Enforcer::Converge), then measures health (checks run right after).
void SimAgent::Enforce() {
  if (!alive_) return;
  if (Now() < hung_until_ || Now() < silent_until_) {
    ScheduleEnforce(std::max(hung_until_, silent_until_) - Now());
    return;
  }
  const FaultRates& f = world_->faults();
  std::mt19937_64& rng = world_->rng();
  swell::v1::AgentMessage observed;
  for (const auto& var : held_.variables()) {
    const std::string& name = var.spec().name();
    swell::v1::Value& actual = actual_[name];
    if (!var.enforce()) {
      swell::v1::ActualVariable* a = observed.mutable_actual()->add_actual();
      a->set_name(name);
      *a->mutable_value() = actual;
      continue;
    }
    swell::v1::AgentMessage msg;
    swell::v1::ApplyResult* r = msg.mutable_apply_result();
    r->set_variable(name);
    r->set_generation(held_.generation());
    if (!common::SameValue(actual, var.value())) {
      if (Chance(rng, f.apply_hangs) && !world_->calm()) {
        hung_until_ = Now() + absl::Seconds(Between(rng, 30, 600));
        world_->Trace(id_, ": apply of ", name, " hangs");
        ScheduleEnforce(hung_until_ - Now());
        return;
      }
      if (Chance(rng, f.apply_fails) && !world_->calm()) {
        r->set_ok(false);
        r->set_message("simulated apply failure");
        *r->mutable_actual() = actual;
        world_->Send(index_, std::move(msg));
        continue;
      }
      actual = var.value();
    }
    r->set_ok(true);
    *r->mutable_actual() = actual;
    world_->Send(index_, std::move(msg));
  }
  if (observed.has_actual()) world_->Send(index_, std::move(observed));
  SendHealth();
}

void SimAgent::SendHealth() {
  swell::v1::AgentMessage msg;
  swell::v1::Sample* s = msg.mutable_health()->add_samples();
  s->set_name("up");
  s->set_ok(true);
  s->set_value(Sick() ? 0 : 1);
  s->set_unix_ms(absl::ToUnixMillis(Now()));
  world_->Send(index_, std::move(msg));
}

void SimAgent::ScheduleHealth() {
  const uint64_t epoch = epoch_;
  world_->At(Now() + absl::Seconds(10), [this, epoch] {
    if (epoch != epoch_) return;
    if (alive_ && Now() >= silent_until_) SendHealth();
    ScheduleHealth();
  });
}

void SimAgent::SetStream(uint64_t stream) {
  stream_ = stream;
  if (stream != 0 || !alive_) return;
  // Reconnects with a backoff capped like the real agent's (5 s).
  const uint64_t epoch = epoch_;
  absl::Duration backoff =
      absl::Milliseconds(Between(world_->rng(), 100, 5000));
  world_->At(Now() + backoff, [this, epoch] { Reconnect(epoch); });
}

void SimAgent::Reconnect(uint64_t epoch) {
  if (epoch != epoch_ || !alive_ || stream_ != 0) return;
  world_->Connect(index_);
  // On each connection the enforcer reports again (ReportOnce is per
  // connection).
  ScheduleEnforce(absl::Milliseconds(Between(world_->rng(), 50, 1000)));
}

void SimAgent::Crash(absl::Duration down, bool stale) {
  ++epoch_;
  ++enforce_token_;  // the apply in progress dies with the process
  alive_ = false;
  hung_until_ = absl::InfinitePast();
  if (stream_ != 0) world_->DropStream(index_);
  const uint64_t epoch = epoch_;
  world_->At(Now() + down, [this, epoch, stale] {
    if (epoch != epoch_) return;
    alive_ = true;
    if (stale && older_.generation() > 0) {
      world_->Trace(id_, ": comes back with stale generation ",
                    older_.generation(), " instead of ", held_.generation());
      held_ = older_;
    }
    ScheduleHealth();
    Reconnect(epoch_);
  });
}

void SimAgent::Heal() {
  hung_until_ = absl::InfinitePast();
  silent_until_ = absl::InfinitePast();
  if (alive_ && held_.generation() > 0) {
    ScheduleEnforce(absl::Milliseconds(100));
  }
}

}  // namespace swell::dst
