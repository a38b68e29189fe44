#include "agent/journal_step_log.h"

#include <utility>

namespace swell::agent {

JournalStepLog::JournalStepLog(Journal* journal, std::string variable,
                               int64_t generation)
    : journal_(journal),
      variable_(std::move(variable)),
      generation_(generation),
      done_(journal->OpenSteps(variable_)) {}

std::optional<std::string> JournalStepLog::Done(absl::string_view step) const {
  auto it = done_.find(std::string(step));
  if (it == done_.end()) return std::nullopt;
  return it->second;
}

absl::Status JournalStepLog::Record(absl::string_view step,
                                    absl::string_view detail) {
  std::string s(step), d(detail);
  if (absl::Status st = journal_->RecordStep(variable_, generation_, s, d);
      !st.ok()) {
    return st;
  }
  done_[s] = d;
  return absl::OkStatus();
}

}  // namespace swell::agent
