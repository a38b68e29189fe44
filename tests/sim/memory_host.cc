#include "tests/sim/memory_host.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "agent/agent_config.h"
#include "common/value.h"

namespace swell::sim {
namespace {

constexpr char kFailedApply[] = "simulated apply failure";
constexpr double kBadErrorRate = 0.5;

swell::v1::Sample MakeSample(const char* name, double value, int64_t unix_ms) {
  swell::v1::Sample s;
  s.set_name(name);
  s.set_value(value);
  s.set_ok(true);
  s.set_unix_ms(unix_ms);
  return s;
}

}  // namespace

absl::string_view EnforcedValuesName(EnforcedValues v) {
  switch (v) {
    case EnforcedValues::kNone:
      return "none";
    case EnforcedValues::kStart:
      return "start";
    case EnforcedValues::kChanged:
      return "changed";
  }
  return "none";
}

MemoryHost::MemoryHost(std::string host_id,
                       std::map<std::string, swell::v1::Value> start_values,
                       HostFaults faults, const AgentBehaviour* behaviour,
                       FleetCounters* counters)
    : host_id_(std::move(host_id)),
      start_values_(std::move(start_values)),
      faults_(faults),
      behaviour_(behaviour),
      counters_(counters),
      values_(start_values_) {}

swell::v1::Hello MemoryHost::Hello() const {
  swell::v1::Hello hello;
  hello.set_host_id(host_id_);
  hello.mutable_labels()->insert(behaviour_->labels.begin(),
                                 behaviour_->labels.end());
  hello.set_agent_version(absl::StrCat(agent::kAgentVersion, "+sim"));
  if (held_ != nullptr) {
    for (const swell::v1::DesiredVariable& var : held_->variables()) {
      swell::v1::ActualVariable* a = hello.add_actual();
      a->set_name(var.spec().name());
      *a->mutable_value() = ValueOf(var.spec().name());
    }
    hello.set_last_generation(held_->generation());
  }
  return hello;
}

std::optional<absl::Time> MemoryHost::Offer(
    const swell::v1::DesiredState& state, absl::Time now) {
  if (!state.host_id().empty() && state.host_id() != host_id_) {
    return std::nullopt;
  }
  const bool seen = std::any_of(
      arrivals_.begin(), arrivals_.end(),
      [&](const Arrival& a) { return a.generation == state.generation(); });
  if (!seen) {
    arrivals_.push_back(
        {state.generation(), absl::ToUnixMillis(now), Classify(state)});
  }
  if (state.generation() < generation()) return std::nullopt;
  if (state.generation() > generation()) previous_ = held_;
  held_ = std::make_shared<const swell::v1::DesiredState>(state);
  if (!NeedsApply(*held_)) return now;
  apply_due_ = now + ApplyDelay();
  return apply_due_;
}

absl::Time MemoryHost::PassDue(absl::Time now) const {
  if (held_ != nullptr && now < apply_due_ && NeedsApply(*held_)) {
    return apply_due_;
  }
  return now;
}

void MemoryHost::Pass(agent::MessageSink* sink) {
  if (held_ == nullptr) return;
  const State state = held_;
  swell::v1::AgentMessage report;
  report.mutable_actual();  // an empty desired state still gets its report
  bool reported = false;
  for (const swell::v1::DesiredVariable& var : state->variables()) {
    if (var.enforce()) reported |= Converge(var, state->generation(), sink);
    swell::v1::ActualVariable* a = report.mutable_actual()->add_actual();
    a->set_name(var.spec().name());
    *a->mutable_value() = ValueOf(var.spec().name());
  }
  sink->Send(report);
  if (reported) SendHealth(sink);
}

void MemoryHost::SendHealth(agent::MessageSink* sink) {
  if (faults_.silent) return;
  const bool healthy = Healthy();
  const int64_t now = absl::ToUnixMillis(absl::Now());
  swell::v1::AgentMessage message;
  swell::v1::HealthReport* health = message.mutable_health();
  *health->add_samples() = MakeSample("app_healthy", healthy ? 1 : 0, now);
  *health->add_samples() =
      MakeSample("error_rate", healthy ? 0 : kBadErrorRate, now);
  if (sink->Send(message) == 0) return;
  counters_->health_reports++;
  int64_t first = 0;
  if (!healthy) {
    counters_->first_unhealthy_ms.compare_exchange_strong(first, now);
  }
}

std::optional<absl::Time> MemoryHost::Restart(absl::Time now) {
  if (previous_ != nullptr) held_ = previous_;
  sent_.clear();
  apply_due_ = absl::InfinitePast();
  if (held_ == nullptr) return std::nullopt;
  // As Agent::Start: the saved desired state is enforced at once.
  if (NeedsApply(*held_)) apply_due_ = now + ApplyDelay();
  return std::max(now, apply_due_);
}

int64_t MemoryHost::generation() const {
  return held_ == nullptr ? 0 : held_->generation();
}

bool MemoryHost::Converge(const swell::v1::DesiredVariable& var,
                          int64_t generation, agent::MessageSink* sink) {
  const std::string& name = var.spec().name();
  const swell::v1::Value actual = ValueOf(name);
  const bool equal = common::SameValue(actual, var.value());
  auto last = journal_.find(name);
  if (last != journal_.end() && last->second.generation == generation) {
    if (!last->second.ok || equal) {
      return ReportOnce(name, generation, last->second, actual, sink);
    }
    // Drifted after an ok apply: applied again below.
  } else if (equal) {
    Outcome& outcome = journal_[name];
    outcome = {generation, true, "already converged"};
    return ReportOnce(name, generation, outcome, actual, sink);
  }
  const bool ok = !faults_.failing_apply;
  if (ok) {
    values_[name] = var.value();
    counters_->applies_ok++;
  } else {
    counters_->applies_failed++;
  }
  journal_[name] = {generation, ok, ok ? "" : kFailedApply};
  swell::v1::ApplyResult result;
  result.set_variable(name);
  result.set_generation(generation);
  result.set_ok(ok);
  *result.mutable_actual() = ValueOf(name);
  if (!ok) result.set_message(kFailedApply);
  result.set_duration_ms(absl::ToInt64Milliseconds(ApplyDelay()));
  return Report(std::move(result), sink);
}

bool MemoryHost::Report(swell::v1::ApplyResult result,
                        agent::MessageSink* sink) {
  const std::string name = result.variable();
  const int64_t generation = result.generation();
  swell::v1::AgentMessage message;
  *message.mutable_apply_result() = std::move(result);
  const uint64_t connection = sink->Send(message);
  if (connection == 0) return false;
  sent_[name] = {generation, connection};
  counters_->apply_results++;
  return true;
}

// Enforcer::ReportOnce: a generation's outcome once per connection, so
// that one lost with a broken stream is said again after the reconnect.
bool MemoryHost::ReportOnce(const std::string& name, int64_t generation,
                            const Outcome& outcome,
                            const swell::v1::Value& actual,
                            agent::MessageSink* sink) {
  const uint64_t connection = sink->Connection();
  if (connection == 0) return false;
  auto it = sent_.find(name);
  if (it != sent_.end() &&
      it->second == std::make_pair(generation, connection)) {
    return false;
  }
  swell::v1::ApplyResult result;
  result.set_variable(name);
  result.set_generation(generation);
  result.set_ok(outcome.ok);
  *result.mutable_actual() = actual;
  result.set_message(outcome.message);
  return Report(std::move(result), sink);
}

absl::Duration MemoryHost::ApplyDelay() const {
  return faults_.slow_apply ? behaviour_->slow_apply_delay
                            : behaviour_->apply_delay;
}

swell::v1::Value MemoryHost::ValueOf(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? common::AbsentValue() : it->second;
}

bool MemoryHost::NeedsApply(const swell::v1::DesiredState& state) const {
  for (const swell::v1::DesiredVariable& var : state.variables()) {
    if (!var.enforce()) continue;
    if (common::SameValue(ValueOf(var.spec().name()), var.value())) continue;
    auto last = journal_.find(var.spec().name());
    // A failed generation is not retried until a newer one arrives.
    if (last != journal_.end() &&
        last->second.generation == state.generation() && !last->second.ok) {
      continue;
    }
    return true;
  }
  return false;
}

bool MemoryHost::Healthy() const {
  if (!faults_.unhealthy_after_change) return true;
  const std::string& bad = behaviour_->unhealthy_value;
  for (const auto& [name, value] : values_) {
    auto start = start_values_.find(name);
    const bool changed = start == start_values_.end()
                             ? value.present()
                             : !common::SameValue(value, start->second);
    if (changed && (bad.empty() || absl::StrContains(value.data(), bad))) {
      return false;
    }
  }
  return true;
}

EnforcedValues MemoryHost::Classify(
    const swell::v1::DesiredState& state) const {
  EnforcedValues out = EnforcedValues::kNone;
  for (const swell::v1::DesiredVariable& var : state.variables()) {
    if (!var.enforce()) continue;
    auto start = start_values_.find(var.spec().name());
    const swell::v1::Value before =
        start == start_values_.end() ? common::AbsentValue() : start->second;
    if (!common::SameValue(var.value(), before)) {
      return EnforcedValues::kChanged;
    }
    out = EnforcedValues::kStart;
  }
  return out;
}

}  // namespace swell::sim
