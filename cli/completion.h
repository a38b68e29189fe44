#pragma once

// `swellctl completion bash`: a bash completion script generated from the
// command table, so that it always knows every command and flag.

#include <string>
#include <vector>

#include "cli/command_table.h"

namespace swell::cli {

// The words that may follow `command` (`hosts retire`, `token create`...);
// empty for a command without subcommands.
const std::vector<std::string>& Subcommands(const std::string& command);

// The script: defines _swellctl and registers it for swellctl. It
// completes commands, subcommands and flags (global and the command's
// own), and file names elsewhere.
std::string BashCompletion();

// The `completion` command's entry in the command table.
CommandInfo CompletionCommandInfo();

}  // namespace swell::cli
