#pragma once

#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "swell/v1/types.pb.h"

namespace swell::agent {

// What this host lets a controller read and change: the host's own limit on
// what a compromised controller, or a stolen deployer token, can make it do
// (docs/security.md). A value type; the defaults are the safe ones that
// docs/agent.md ("guardrails") explains: no `command`, no file path, and
// packages only from the apt sources the host already trusts.
struct Guardrails {
  // The kinds of variable the host reads and enacts. With
  // VARIABLE_KIND_COMMAND the host runs any command a plan names, so it
  // also lifts `file_commands`.
  std::set<swell::v1::VariableKind> kinds = {swell::v1::VARIABLE_KIND_FILE,
                                             swell::v1::VARIABLE_KIND_PACKAGE,
                                             swell::v1::VARIABLE_KIND_DOCKER};
  // Directories a file variable's path must lie below: absolute, normalised
  // and ending in '/' (ValidateFilePrefix). Compared lexically with the
  // plan's path, whole segments only: /etc/app/ admits /etc/app/a.conf,
  // not /etc/application.
  std::vector<std::string> file_prefixes;
  // The `validate` and `reload` commands a file variable may carry, word for
  // word, while `kinds` lacks command.
  std::vector<std::string> file_commands;
  // Patterns ('*' any run, '?' one character) that every package a variable
  // names must match: a package variable's, and a docker variable's engine
  // and companion packages.
  std::vector<std::string> packages = {"*"};
};

// OK when the host lets a controller read `spec`'s current value: its kind
// is accepted, and a file lies below a prefix (its content is not sent
// otherwise), a package matches a pattern. A command variable's `current`
// command is not run without `command` in the kinds. Otherwise
// kPermissionDenied "refused by host policy: <why>", e.g. "refused by host
// policy: /etc/shadow is not under [/etc/app/]".
absl::Status CheckRead(const Guardrails& guardrails,
                       const swell::v1::VariableSpec& spec);

// OK when the host lets a controller change `spec`: CheckRead, and for a
// file also its validate and reload commands (see `file_commands`) and a
// mode without setuid or setgid. Otherwise kPermissionDenied, as CheckRead.
absl::Status CheckApply(const Guardrails& guardrails,
                        const swell::v1::VariableSpec& spec);

// One line for logs: "kinds [file], file_prefixes [/etc/app/], ...".
std::string DescribeGuardrails(const Guardrails& guardrails);

// True when `name` matches `pattern` as a whole, where '*' matches any run
// of characters (also none) and '?' exactly one.
bool GlobMatch(absl::string_view pattern, absl::string_view name);

// True when `path` is absolute and normalised: no empty, "." or ".."
// segment and no trailing '/'.
bool IsNormalisedAbsolutePath(absl::string_view path);

// Entries of a guardrails config: kInvalidArgument saying what is wrong.
// A prefix is "/" or an absolute, normalised directory ending in '/'.
absl::Status ValidateFilePrefix(absl::string_view prefix);
// A pattern is 1..128 of [a-z0-9.+-] and the wildcards '*' and '?'.
absl::Status ValidatePackagePattern(absl::string_view pattern);
// A command is one non-empty line.
absl::Status ValidateFileCommand(absl::string_view command);

}  // namespace swell::agent
