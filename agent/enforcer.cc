#include "agent/enforcer.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "agent/journal_step_log.h"
#include "common/value.h"
#include "spdlog/spdlog.h"

namespace swell::agent {
namespace {

constexpr size_t kMaxMessageBytes = 512;
constexpr size_t kMaxOutputTailBytes = 4096;

// Messages are one line for logs and tables.
std::string OneLine(absl::string_view text) {
  std::string out(text.substr(0, kMaxMessageBytes));
  std::replace_if(
      out.begin(), out.end(), [](char c) { return c == '\n' || c == '\r'; },
      ' ');
  return out;
}

std::string Tail(const std::string& s, size_t max) {
  return s.size() <= max ? s : s.substr(s.size() - max);
}

}  // namespace

Enforcer::Enforcer(ApplierSet appliers, Journal* journal, MessageSink* sink,
                   absl::Duration resync_interval,
                   std::function<void()> after_report)
    : appliers_(std::move(appliers)),
      journal_(journal),
      sink_(sink),
      resync_interval_(resync_interval),
      after_report_(std::move(after_report)) {
  for (const JournalIntent& intent : journal_->InterruptedAtOpen()) {
    spdlog::warn(
        "the apply of {} generation {} ({} -> {}) was interrupted; it "
        "resumes after its last finished step",
        intent.variable, intent.generation, intent.from, intent.to);
    interrupted_[intent.variable] = intent.generation;
  }
}

Enforcer::~Enforcer() { Stop(); }

bool Enforcer::Offer(swell::v1::DesiredState state) {
  absl::MutexLock lock(&mu_);
  if (current_ != nullptr && state.generation() < current_->generation()) {
    return false;
  }
  current_ = std::make_shared<const swell::v1::DesiredState>(std::move(state));
  dirty_ = true;
  return true;
}

std::shared_ptr<const swell::v1::DesiredState> Enforcer::Current() const {
  absl::MutexLock lock(&mu_);
  return current_;
}

std::vector<swell::v1::ActualVariable> Enforcer::ReadActuals() const {
  std::vector<swell::v1::ActualVariable> out;
  std::shared_ptr<const swell::v1::DesiredState> state = Current();
  if (state == nullptr) return out;
  for (const swell::v1::DesiredVariable& var : state->variables()) {
    out.push_back(Read(var.spec()));
  }
  return out;
}

void Enforcer::Start() {
  if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
}

void Enforcer::Wake() {
  absl::MutexLock lock(&mu_);
  dirty_ = true;
}

void Enforcer::Stop(absl::Duration grace) {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    if (thread_.joinable() && grace > absl::ZeroDuration() &&
        !mu_.AwaitWithTimeout(absl::Condition(&finished_), grace)) {
      spdlog::warn(
          "an apply still runs after {}: stopping it; it resumes at next "
          "start",
          absl::FormatDuration(grace));
    }
  }
  cancel_ = true;
  if (thread_.joinable()) thread_.join();
}

uint64_t Enforcer::passes() const {
  absl::MutexLock lock(&mu_);
  return passes_;
}

void Enforcer::Run() {
  Loop();
  absl::MutexLock lock(&mu_);
  finished_ = true;
}

void Enforcer::Loop() {
  while (true) {
    std::shared_ptr<const swell::v1::DesiredState> state;
    {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(
          absl::Condition(
              +[](Enforcer* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->mu_) {
                return self->dirty_ || self->stopping_;
              },
              this),
          resync_interval_);
      if (stopping_) return;
      dirty_ = false;
      state = current_;
    }
    if (state == nullptr) continue;
    if (Pass(*state)) {
      absl::MutexLock lock(&mu_);
      ++passes_;
    }
  }
}

bool Enforcer::Pass(const swell::v1::DesiredState& state) {
  swell::v1::AgentMessage report;
  report.mutable_actual();  // an empty desired state still gets its report
  reported_in_pass_ = false;
  bool complete = true;
  for (const swell::v1::DesiredVariable& var : state.variables()) {
    {
      absl::MutexLock lock(&mu_);
      complete = !stopping_ && !dirty_;
    }
    if (!complete) break;
    *report.mutable_actual()->add_actual() = Converge(var, state.generation());
  }
  if (complete) sink_->Send(report);
  // Health measured now shows the change that was just reported.
  if (reported_in_pass_ && after_report_) after_report_();
  return complete;
}

Applier* Enforcer::ApplierFor(swell::v1::VariableKind kind) const {
  auto it = appliers_.find(kind);
  return it == appliers_.end() ? nullptr : it->second.get();
}

swell::v1::ActualVariable Enforcer::Read(
    const swell::v1::VariableSpec& spec) const {
  swell::v1::ActualVariable out;
  out.set_name(spec.name());
  Applier* applier = ApplierFor(spec.kind());
  if (applier == nullptr) {
    out.set_error(absl::StrCat("this agent has no applier for kind ",
                               std::string(common::KindName(spec.kind()))));
    return out;
  }
  absl::StatusOr<swell::v1::Value> value = applier->ReadActual(spec);
  if (value.ok()) {
    *out.mutable_value() = *std::move(value);
  } else {
    out.set_error(OneLine(value.status().message()));
  }
  return out;
}

swell::v1::ActualVariable Enforcer::Converge(
    const swell::v1::DesiredVariable& var, int64_t generation) {
  const swell::v1::VariableSpec& spec = var.spec();
  const std::string& name = spec.name();
  swell::v1::ActualVariable actual = Read(spec);
  if (!var.enforce()) return actual;

  const swell::v1::Value& desired = var.value();
  const bool readable = actual.error().empty();
  const bool equal = readable && common::SameValue(actual.value(), desired);
  Applier* applier = ApplierFor(spec.kind());
  std::optional<JournalOutcome> last = journal_->LastOutcome(name);
  // An interrupted apply may have replaced the file but not run reload:
  // equality proves nothing, so it resumes and its applier decides.
  bool resume = false;
  if (auto it = interrupted_.find(name); it != interrupted_.end()) {
    resume = it->second == generation && applier != nullptr;
    if (!resume) {
      spdlog::warn(
          "the interrupted apply of {} generation {} is abandoned: generation "
          "{} is desired now",
          name, it->second, generation);
    }
    interrupted_.erase(it);
  }
  if (resume) {
    // fall through to the apply
  } else if (last && last->generation == generation) {
    if (!last->ok || equal || applier == nullptr) {
      ReportOnce(name, generation, *last, actual.value());
      return actual;
    }
    spdlog::warn(
        "{} drifted from generation {} (now {}); applying it again", name,
        generation,
        readable ? common::DescribeValue(actual.value()) : actual.error());
  } else if (equal || applier == nullptr) {
    JournalOutcome outcome{generation, equal,
                           equal ? "already converged" : actual.error()};
    if (absl::Status s = journal_->RecordOutcome(name, outcome); !s.ok()) {
      spdlog::error("journal: {}", std::string(s.message()));
    }
    ReportOnce(name, generation, outcome, actual.value());
    return actual;
  }

  JournalIntent intent{name, generation,
                       readable ? common::DescribeValue(actual.value())
                                : absl::StrCat("unreadable: ", actual.error()),
                       common::DescribeValue(desired)};
  swell::v1::ApplyResult result;
  result.set_variable(name);
  result.set_generation(generation);
  // A resumed apply keeps its open intent, and with it its finished steps.
  if (absl::Status s =
          resume ? absl::OkStatus() : journal_->RecordIntent(intent);
      !s.ok()) {
    // Without a journal a crash could go unnoticed: do not touch the host.
    spdlog::error("not applying {}: journal: {}", name,
                  std::string(s.message()));
    result.set_message(OneLine(absl::StrCat("journal: ", s.message())));
    *result.mutable_actual() = actual.value();
    Report(std::move(result));
    return actual;
  }
  spdlog::info("{} {} generation {}: {} -> {}",
               resume ? "resuming" : "applying", name, generation, intent.from,
               intent.to);
  JournalStepLog steps(journal_, name, generation);
  ApplyContext ctx;
  ctx.cancel = &cancel_;
  ctx.superseded = [this, &var, generation] {
    return Superseded(var, generation);
  };
  ctx.steps = &steps;
  ctx.resumed = resume;
  if (readable && !resume) ctx.before = actual.value();
  const absl::Time start = absl::Now();
  ApplyOutcome outcome = applier->Apply(spec, desired, ctx);
  const absl::Duration took = absl::Now() - start;
  if (!outcome.samples.empty()) {
    swell::v1::AgentMessage health;
    for (swell::v1::Sample& sample : outcome.samples) {
      *health.mutable_health()->add_samples() = std::move(sample);
    }
    sink_->Send(health);  // dropped while disconnected, like every sample
  }
  if (outcome.cancelled) {
    spdlog::warn("apply of {} was cancelled; it resumes at next start", name);
    return Read(spec);
  }
  swell::v1::ActualVariable after = Read(spec);
  const bool ok = outcome.ok && !outcome.superseded && after.error().empty() &&
                  common::SameValue(after.value(), desired);
  std::string message = outcome.message;
  if (outcome.superseded) {
    message = absl::StrCat("superseded by a newer desired state: ", message);
  } else if (outcome.ok && !ok) {
    message =
        after.error().empty()
            ? absl::StrCat("after apply it reads back as ",
                           common::DescribeValue(after.value()))
            : absl::StrCat("after apply it cannot be read: ", after.error());
  }
  message = OneLine(message);
  if (absl::Status s = journal_->RecordOutcome(name, {generation, ok, message});
      !s.ok()) {
    spdlog::error("journal: {}", std::string(s.message()));
  }
  if (ok) {
    spdlog::info(
        "applied {} generation {} in {}", name, generation,
        absl::FormatDuration(absl::Trunc(took, absl::Milliseconds(1))));
  } else {
    spdlog::warn("apply of {} generation {} failed: {}", name, generation,
                 message);
  }
  result.set_ok(ok);
  *result.mutable_actual() = after.value();
  result.set_message(message);
  result.set_output_tail(Tail(outcome.output_tail, kMaxOutputTailBytes));
  result.set_duration_ms(absl::ToInt64Milliseconds(took));
  Report(std::move(result));
  return after;
}

bool Enforcer::Superseded(const swell::v1::DesiredVariable& var,
                          int64_t generation) const {
  absl::MutexLock lock(&mu_);
  if (current_ == nullptr || current_->generation() <= generation) {
    return false;
  }
  for (const swell::v1::DesiredVariable& now : current_->variables()) {
    if (now.spec().name() != var.spec().name()) continue;
    return !now.enforce() || !common::SameValue(now.value(), var.value()) ||
           now.spec().SerializeAsString() != var.spec().SerializeAsString();
  }
  return true;
}

void Enforcer::Report(swell::v1::ApplyResult result) {
  std::string name = result.variable();
  int64_t generation = result.generation();
  swell::v1::AgentMessage message;
  *message.mutable_apply_result() = std::move(result);
  if (uint64_t connection = sink_->Send(message); connection != 0) {
    sent_[name] = {generation, connection};
    reported_in_pass_ = true;
  }
}

void Enforcer::ReportOnce(const std::string& name, int64_t generation,
                          const JournalOutcome& outcome,
                          const swell::v1::Value& actual) {
  uint64_t connection = sink_->Connection();
  if (connection == 0) return;
  auto it = sent_.find(name);
  if (it != sent_.end() &&
      it->second == std::make_pair(generation, connection)) {
    return;
  }
  swell::v1::ApplyResult result;
  result.set_variable(name);
  result.set_generation(generation);
  result.set_ok(outcome.ok);
  *result.mutable_actual() = actual;
  result.set_message(OneLine(outcome.message));
  Report(std::move(result));
}

}  // namespace swell::agent
