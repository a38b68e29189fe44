#pragma once

// Every swellctl command: its syntax, its help text and its implementation.
// `swellctl --help` and `swellctl CMD --help` are generated from this table.

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "cli/args.h"
#include "cli/commands.h"

namespace swell::cli {

struct CommandInfo {
  CommandSyntax syntax;
  std::string synopsis;            // "submit PLAN.yaml [--reason R]"
  std::string summary;             // one line for the overview
  std::string description;         // paragraphs for `CMD --help`
  std::string examples;            // one command a line
  int (*run)(Context&) = nullptr;  // null for `help`
};

// `token create|list|revoke` (commands_token.cc).
CommandInfo TokenCommandInfo();

// Flags accepted anywhere on the line: --controller, -o/--output, --timeout,
// --ca, --token-file.
const std::vector<FlagSpec>& GlobalFlags();

const std::vector<CommandInfo>& Commands();
std::vector<CommandSyntax> CommandSyntaxes();

// nullptr for an unknown name.
const CommandInfo* FindCommandInfo(absl::string_view name);

// The overview printed by `swellctl --help`: commands, global flags,
// environment, exit statuses and examples.
std::string MainUsage();

// The help of one command: synopsis, description, flags, examples.
std::string CommandUsage(const CommandInfo& command);

}  // namespace swell::cli
