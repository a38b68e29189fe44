#pragma once

// swellctl's command-line grammar: `swellctl [flags] COMMAND [args] [flags]`.
// Global flags may appear anywhere; a command's own flags only after it.
// Flags are `--name value`, `--name=value`, `-x value`, `-xvalue` or, for
// switches, a bare `--name`. `--` ends flag parsing. A lone `-` is an
// argument (stdin).

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace swell::cli {

struct FlagSpec {
  std::string name;         // long name without dashes: "reason"
  char short_name = 0;      // 'o' for -o; 0 for none
  bool takes_value = true;  // false: a switch such as --all
  std::string value_name;   // shown in usage: "R", "ADDR"
  std::string help;
};

// What a command accepts, for parsing and usage.
struct CommandSyntax {
  std::string name;
  std::vector<FlagSpec> flags;
  int min_args = 0;
  int max_args = 0;
};

struct ParsedArgs {
  std::string command;  // empty when none was given
  std::vector<std::string> args;
  // The last value each flag was given; switches map to "true".
  std::map<std::string, std::string> flags;
  // Every value each flag that takes one was given, in order: what a
  // repeatable flag (--controller a --controller b) reads.
  std::map<std::string, std::vector<std::string>> all_values;
  bool help = false;  // -h or --help anywhere

  bool Has(absl::string_view flag) const;
  // The flag's value, or `fallback` when it was not given.
  std::string Get(absl::string_view flag,
                  absl::string_view fallback = "") const;
  // Every value the flag was given, in order; empty when it was not given.
  std::vector<std::string> GetAll(absl::string_view flag) const;
};

// Parses `argv` without the program name. kInvalidArgument, with a message a
// person can act on, for an unknown command or flag, a missing flag value,
// a value given to a switch, or the wrong number of arguments. With --help
// the argument count is not checked, so `swellctl submit --help` works.
absl::StatusOr<ParsedArgs> ParseArgs(
    const std::vector<std::string>& argv,
    const std::vector<FlagSpec>& global_flags,
    const std::vector<CommandSyntax>& commands);

}  // namespace swell::cli
