#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "agent/appliers/applier.h"
#include "agent/journal.h"

namespace swell::agent {

// The steps of one apply (one variable, one generation) kept under its open
// intent in `journal`: what an interrupted attempt finished is Done() for
// the attempt that resumes it. The intent must be open before Record().
// Not thread-safe; one apply uses it.
class JournalStepLog final : public StepLog {
 public:
  JournalStepLog(Journal* journal, std::string variable, int64_t generation);

  std::optional<std::string> Done(absl::string_view step) const override;
  absl::Status Record(absl::string_view step,
                      absl::string_view detail) override;

 private:
  Journal* const journal_;
  const std::string variable_;
  const int64_t generation_;
  std::map<std::string, std::string> done_;
};

}  // namespace swell::agent
