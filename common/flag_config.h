#pragma once

// A YAML config file for a binary whose settings are Abseil flags: each
// top-level key is a flag's name (dashes or underscores), its value the
// flag's value, so every flag can be set in the file. The file is applied
// before the command line is parsed, so flags given there override it.
//
//   # /etc/swell/controller.yaml
//   listen: 10.0.0.5:7070
//   agent-grace: 30s
//   insecure: false

#include <string>
#include <vector>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"

namespace swell::common {

// The value of `--name` in `args` ("--name=V" or "--name V"; the last one
// wins), or `fallback` when it is not there. Flag names must already be
// normalised (NormalizeFlagNames).
std::string FlagFromArgs(const std::vector<std::string>& args,
                         absl::string_view name, std::string fallback);

// Sets the flags named in the YAML file `path`. Only flags defined in a
// file whose path contains `main_file` may be set, and not `config` itself.
// kInvalidArgument listing every problem at once, one a line, as
// "path:line:column: key: what was expected"; nothing is set then. A file
// that does not exist is kNotFound.
absl::Status ApplyFlagConfig(const std::string& path,
                             absl::string_view main_file);

}  // namespace swell::common
