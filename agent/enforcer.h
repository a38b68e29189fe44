#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agent/appliers/applier.h"
#include "agent/journal.h"
#include "agent/message_sink.h"
#include "swell/v1/types.pb.h"

namespace swell::agent {

using ApplierSet = std::map<swell::v1::VariableKind, std::shared_ptr<Applier>>;

// Keeps the host converged on the newest desired state, on one worker
// thread.
//
// A pass walks the desired variables in order. An enforced variable whose
// actual value differs is applied once per generation: the journal records
// the intent before and the outcome after, and an ApplyResult goes to the
// controller. One already equal is recorded as converged, and reported ok.
// A generation's outcome (ok or not) is sent once per controller connection,
// so a result lost with a broken stream is sent again after the reconnect.
// A failed generation is not retried until a newer one arrives; a variable
// that drifted after an ok apply is applied again. Variables with
// enforce=false are only read. A complete pass ends with an ActualReport.
//
// An apply runs in steps (the applier's): each finished step is journaled
// under the intent, so an apply that a crash or kill interrupted resumes at
// the next start after its last finished step, with the applier told that
// it resumes (ApplyContext::resumed) so that it verifies the interrupted
// step against the host rather than blindly repeating it.
//
// A newer desired state arriving mid-pass takes effect after the variable
// being applied. When it changes that very variable (a rollback, say), the
// apply stops at its next step boundary (a running command is never killed
// for it), is journaled and reported as superseded, and the newer value is
// applied next. Passes run when a desired state arrives, on Wake(), and
// every `resync_interval`. Samples an apply measured go out as a
// HealthReport. After a pass that sent any ApplyResult, `after_report` is
// called (on the worker thread) so that health can be measured at once.
class Enforcer {
 public:
  Enforcer(ApplierSet appliers, Journal* journal, MessageSink* sink,
           absl::Duration resync_interval,
           std::function<void()> after_report = {});
  ~Enforcer();  // stops

  // Replaces the held desired state when `state` is at least as new and
  // starts a pass. Returns false (and changes nothing) for an older one.
  bool Offer(swell::v1::DesiredState state);
  std::shared_ptr<const swell::v1::DesiredState> Current() const;

  // The actual value of every variable of the held desired state, read now.
  // Thread-safe; used for Hello.
  std::vector<swell::v1::ActualVariable> ReadActuals() const;

  void Start();
  void Wake();
  // Starts no new apply, lets the one running finish for up to `grace` (a
  // package install or a Docker upgrade is not cut half way), then cancels
  // what still runs (its commands are stopped; the journal resumes it at
  // next start) and joins.
  void Stop(absl::Duration grace = absl::ZeroDuration());

  // Completed passes, for tests to wait on.
  uint64_t passes() const;

 private:
  void Run();   // the worker: Loop(), then marks it finished
  void Loop();  // passes until Stop
  // false when a newer state or Stop interrupted it.
  bool Pass(const swell::v1::DesiredState& state);
  swell::v1::ActualVariable Converge(const swell::v1::DesiredVariable& var,
                                     int64_t generation);
  swell::v1::ActualVariable Read(const swell::v1::VariableSpec& spec) const;
  // Whether the held desired state is newer than `generation` and enacts
  // `var` differently (or no longer enforces it).
  bool Superseded(const swell::v1::DesiredVariable& var,
                  int64_t generation) const;
  void Report(swell::v1::ApplyResult result);
  // Sends the journal's outcome of this generation if this connection has
  // not had it yet.
  void ReportOnce(const std::string& name, int64_t generation,
                  const JournalOutcome& outcome,
                  const swell::v1::Value& actual);
  Applier* ApplierFor(swell::v1::VariableKind kind) const;

  const ApplierSet appliers_;
  Journal* const journal_;
  MessageSink* const sink_;
  const absl::Duration resync_interval_;
  const std::function<void()> after_report_;
  bool reported_in_pass_ = false;  // worker only
  std::atomic<bool> cancel_{false};
  // variable -> (generation, connection) of the last ApplyResult sent.
  std::map<std::string, std::pair<int64_t, uint64_t>> sent_;  // worker only
  // variable -> generation of an apply the journal shows was interrupted.
  std::map<std::string, int64_t> interrupted_;  // worker only

  mutable absl::Mutex mu_;
  std::shared_ptr<const swell::v1::DesiredState> current_ ABSL_GUARDED_BY(mu_);
  bool dirty_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;  // Run() returned
  uint64_t passes_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace swell::agent
