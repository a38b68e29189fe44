#pragma once

// --help for the binaries that parse their flags with Abseil. Abseil's own
// --help exits 1, as if asking for help were a usage error; these binaries
// answer it and exit 0 instead.

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace swell::common {

// When argv (before any "--") asks for help with --help, -help, -h,
// --helpshort or --helpfull, writes to `out` the program name and
// absl::ProgramUsageMessage(), then every flag defined in a file whose path
// contains `main_file` (with --helpfull, every flag, Abseil's included):
// name (with dashes, as people type it), default and help text, sorted by
// name. Returns true when it did,
// and the caller should then exit 0; false, writing nothing, otherwise.
// Call after absl::SetProgramUsageMessage and before
// absl::ParseCommandLine, which would exit 1 on these flags.
bool PrintHelpIfAsked(int argc, char** argv, std::string_view main_file,
                      std::ostream& out);

// argv with every flag name's dashes made underscores ("--tls-cert=x"
// becomes "--tls_cert=x"): Abseil's names use underscores, people type
// dashes. Values, and everything after "--", are left as they are.
std::vector<std::string> NormalizeFlagNames(int argc, char** argv);

}  // namespace swell::common
