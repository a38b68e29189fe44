#pragma once

// swellctl's commands. Each one prints its result on `out` (tables, or one
// JSON document with -o json), its errors on `err`, and returns the exit
// status (cli/exit_code.h).

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "cli/args.h"
#include "cli/controller_client.h"
#include "common/clock.h"
#include "google/protobuf/message.h"

namespace swell::cli {

enum class OutputFormat { kTable, kJson };

// What a command runs with. Nothing in it is owned.
struct Context {
  const ParsedArgs* args = nullptr;
  ControllerClient* client = nullptr;
  OutputFormat format = OutputFormat::kTable;
  std::string actor;  // recorded in the audit trail with every change
  std::ostream* out = nullptr;
  std::ostream* err = nullptr;
  const common::Clock* clock = nullptr;
  bool tty = false;  // stdout is a terminal: `watch` redraws in place
  int width = 100;   // columns available for wrapping
};

int RunSubmit(Context& ctx);
int RunPreview(Context& ctx);
int RunPlanCheck(Context& ctx);  // `plan check PLAN.yaml`: local only
int RunList(Context& ctx);
int RunStatus(Context& ctx);
int RunWatch(Context& ctx);
int RunHalt(Context& ctx);
int RunUnfreeze(Context& ctx);
int RunResume(Context& ctx);
int RunRollback(Context& ctx);
int RunHosts(Context& ctx);       // `hosts`, and `hosts retire|revoke|unrevoke`
int RunRetireHost(Context& ctx);  // `hosts retire HOST --reason R`
int RunRevokeHost(Context& ctx);  // `hosts revoke HOST --reason R`
int RunUnrevokeHost(Context& ctx);  // `hosts unrevoke HOST [--reason R]`
int RunFreezeStatus(Context& ctx);
int RunToken(Context& ctx);  // `token create|list|revoke` (admin)

// Shared by the commands.

// Prints the report for a failed call (cli/exit_code.h) and returns its
// exit status.
int ReportError(Context& ctx, const absl::Status& status);

// Writes `message` as one JSON document (proto field names, every field
// present) and a newline. Returns the exit status.
int EmitJson(Context& ctx, const google::protobuf::Message& message);

// The --reason flag, trimmed. When `required` and it is missing or blank,
// prints why on-call must give one and returns kExitBadInput through
// `exit_code`; otherwise leaves `exit_code` alone.
std::string ReasonFlag(Context& ctx, bool required, int* exit_code);

}  // namespace swell::cli
