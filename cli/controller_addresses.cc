#include "cli/controller_addresses.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace swell::cli {

absl::StatusOr<std::vector<std::string>> ParseControllerAddresses(
    const std::vector<std::string>& values, absl::string_view source) {
  std::vector<std::string> addresses;
  for (const std::string& value : values) {
    for (absl::string_view part : absl::StrSplit(value, ',')) {
      const std::string address(absl::StripAsciiWhitespace(part));
      if (address.empty()) continue;
      if (std::find(addresses.begin(), addresses.end(), address) ==
          addresses.end()) {
        addresses.push_back(address);
      }
    }
  }
  if (addresses.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, " wants host:port, or several as a comma list, not '",
        absl::StrJoin(values, ","), "'"));
  }
  return addresses;
}

absl::StatusOr<std::vector<std::string>> ResolveControllerAddresses(
    const ParsedArgs& args, const Environment& env) {
  if (args.Has("controller")) {
    return ParseControllerAddresses(args.GetAll("controller"), "--controller");
  }
  if (!env.controller.empty()) {
    return ParseControllerAddresses({env.controller}, "SWELL_CONTROLLER");
  }
  return std::vector<std::string>{kDefaultController};
}

}  // namespace swell::cli
