#pragma once

// The single libcurl error boundary: every CURLcode the HTTP client can
// meet becomes the absl::Status code that tells the caller what to do.

#include <curl/curl.h>

#include <string>

#include "absl/status/status.h"

namespace swell::common {

// `code` (not CURLE_OK) as a status whose message says what failed,
// followed by libcurl's own words (`detail`, its error buffer, else its
// description of `code`). `ca_file`, when not empty, is named in a
// certificate verification failure. See HttpSend for the codes.
absl::Status CurlFailure(CURLcode code, const char* detail,
                         const std::string& ca_file);

}  // namespace swell::common
