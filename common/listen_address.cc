#include "common/listen_address.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace swell::common {

absl::Status SplitListenAddress(const std::string& listen,
                                std::string_view flag, std::string* host,
                                int* port) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(listen.substr(colon + 1), port) || *port < 0 ||
      *port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        absl::string_view(flag.data(), flag.size()),
        ": expected host:port, e.g. 10.0.0.5:7070, got '", listen, "'"));
  }
  absl::string_view h(listen.data(), colon);
  if (absl::ConsumePrefix(&h, "[")) absl::ConsumeSuffix(&h, "]");
  *host = std::string(h);
  return absl::OkStatus();
}

}  // namespace swell::common
