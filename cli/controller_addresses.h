#pragma once

// Which controller replicas swellctl may talk to: every address given with
// --controller (repeated, or a comma list, or both), else those of
// $SWELL_CONTROLLER (a comma list), else 127.0.0.1:7072.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cli/app.h"
#include "cli/args.h"

namespace swell::cli {

// The addresses of `values` (each one address or a comma list of them) in
// the order given, surrounding whitespace removed, empty entries and
// repeats left out. kInvalidArgument naming `source` ("--controller",
// "SWELL_CONTROLLER") when no address is left.
absl::StatusOr<std::vector<std::string>> ParseControllerAddresses(
    const std::vector<std::string>& values, absl::string_view source);

// The addresses from --controller, else $SWELL_CONTROLLER, else the
// default. An empty $SWELL_CONTROLLER counts as unset.
absl::StatusOr<std::vector<std::string>> ResolveControllerAddresses(
    const ParsedArgs& args, const Environment& env);

}  // namespace swell::cli
