#pragma once

// A small, bounded HTTP/1.1 client: plain http://, one request per
// connection. The agent reads its own host's endpoints with it (loopback
// only); the controller asks Prometheus servers for PromQL results.

#include <atomic>
#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace swell::common {

// An http:// URL.
struct HttpUrl {
  // The host as written, without brackets: "127.0.0.1", "::1",
  // "prometheus.internal". "localhost" is taken as 127.0.0.1, never
  // resolved.
  std::string host;
  bool ipv6 = false;  // written as [addr]
  int port = 80;
  std::string host_header;  // as written: "127.0.0.1:9100", "localhost"
  std::string path = "/";   // with the query, if any
};

// Accepts http://HOST[:PORT][/PATH][?QUERY]. kInvalidArgument saying why
// for https, user info, a missing host or a bad port.
absl::StatusOr<HttpUrl> ParseHttpUrl(absl::string_view url);

// As ParseHttpUrl, and the host must be loopback: 127.0.0.1, localhost or
// [::1]. For readers that must never reach across the network.
absl::StatusOr<HttpUrl> ParseLoopbackUrl(absl::string_view url);

struct HttpResponse {
  int status = 0;
  std::string body;  // de-chunked
};

inline constexpr size_t kMaxHttpResponseBytes = 4 << 20;

// One HTTP/1.1 GET with `Connection: close`, read to EOF. `timeout` bounds
// the whole exchange, connect included (name resolution, for hosts that
// are not IP literals, is not bounded by it). Any 3-digit status is a
// response; errors are for what is not one: kUnavailable when the
// connection fails, kDeadlineExceeded on timeout, kCancelled once `cancel`
// is true, kResourceExhausted past kMaxHttpResponseBytes, kDataLoss for a
// malformed or short response (bad status line, Content-Length not met,
// bad chunks).
absl::StatusOr<HttpResponse> HttpGet(const HttpUrl& url,
                                     absl::Duration timeout,
                                     const std::atomic<bool>* cancel = nullptr);

// As HttpGet, but a POST of `body` with the given Content-Type.
absl::StatusOr<HttpResponse> HttpPost(const HttpUrl& url,
                                      absl::string_view content_type,
                                      absl::string_view body,
                                      absl::Duration timeout,
                                      const std::atomic<bool>* cancel = nullptr);

// `text` percent-encoded for a query string or a form body
// (application/x-www-form-urlencoded): unreserved characters are kept,
// everything else is %XX.
std::string FormEncode(absl::string_view text);

}  // namespace swell::common
