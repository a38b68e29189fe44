#pragma once

#include <atomic>
#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace swell::agent {

// An http:// URL on this host. Only loopback targets are allowed: the
// agent reads its own host's endpoints and never reaches across the network.
struct LoopbackUrl {
  bool ipv6 = false;  // [::1] rather than 127.0.0.1
  int port = 80;
  std::string host_header;  // as written: "127.0.0.1:9100", "localhost"
  std::string path = "/";   // with the query, if any
};

// Accepts http://127.0.0.1, http://localhost (taken as 127.0.0.1, not
// resolved) and http://[::1], each with an optional :port and path.
// kInvalidArgument saying why for https, other hosts, userinfo or a bad
// port.
absl::StatusOr<LoopbackUrl> ParseLoopbackUrl(absl::string_view url);

struct HttpResponse {
  int status = 0;
  std::string body;  // de-chunked
};

inline constexpr size_t kMaxHttpResponseBytes = 4 << 20;

// One HTTP/1.1 GET with `Connection: close`, read to EOF. `timeout` bounds
// the whole exchange, connect included. Any 3-digit status is a response;
// errors are for what is not one: kUnavailable when the connection fails,
// kDeadlineExceeded on timeout, kCancelled once `cancel` is true,
// kResourceExhausted past kMaxHttpResponseBytes, kDataLoss for a malformed
// or short response (bad status line, Content-Length not met, bad chunks).
absl::StatusOr<HttpResponse> HttpGet(const LoopbackUrl& url,
                                     absl::Duration timeout,
                                     const std::atomic<bool>* cancel = nullptr);

}  // namespace swell::agent
