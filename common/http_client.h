#pragma once

// A small, bounded HTTP/1.1 client over libcurl: one request per
// connection, no redirects followed, no proxies, no content decoding. The
// agent reads its own host's endpoints with it (loopback only, see
// HttpUrl::loopback_only); the controller asks Prometheus servers for
// PromQL results, over https with a CA file and a bearer token if need be.
//
// Thread-safe: every call is independent. libcurl is initialised once, on
// first use.

#include <atomic>
#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/http_url.h"

namespace swell::common {

struct HttpResponse {
  int status = 0;
  std::string body;  // de-chunked
};

inline constexpr size_t kMaxHttpResponseBytes = 4 << 20;

// How one exchange is bounded and secured.
struct HttpOptions {
  // Bounds the whole exchange: name resolution, connect, TLS handshake,
  // request and response.
  absl::Duration timeout = absl::Seconds(5);
  // Bounds name resolution, connect and the TLS handshake; never more than
  // `timeout`.
  absl::Duration connect_timeout = absl::InfiniteDuration();
  // A body longer than this (announced or received) ends the exchange.
  size_t max_response_bytes = kMaxHttpResponseBytes;
  // https: a PEM file of the CAs that may sign the server's certificate,
  // trusted instead of the system's store. Empty: the system's store. The
  // certificate and the host name are always verified.
  std::string ca_file;
  // Sent as `Authorization: Bearer <token>` when not empty. Never logged.
  std::string bearer_token;
  // Checked about every 100 ms; once true, the exchange ends.
  const std::atomic<bool>* cancel = nullptr;
};

struct HttpRequest {
  HttpUrl url;
  bool post = false;         // GET otherwise
  std::string content_type;  // post
  std::string body;          // post
};

// One exchange, with `Connection: close`. Any 3-digit status is a
// response (a redirect is returned, not followed); errors are for what is
// not one:
// - kInvalidArgument: the request cannot be sent (a bad URL, a bearer
//   token with a line break);
// - kPermissionDenied: a loopback_only URL's host resolved to an address
//   that is not loopback; nothing was sent;
// - kFailedPrecondition: TLS verification failed (the server's certificate
//   is not signed by `ca_file`'s CAs or does not name the host) or
//   `ca_file` cannot be read;
// - kUnavailable: resolution, connect or TLS handshake failed, or the
//   connection broke;
// - kDeadlineExceeded: `timeout` or `connect_timeout` passed;
// - kCancelled: `cancel` became true;
// - kResourceExhausted: the body is longer than `max_response_bytes`;
// - kDataLoss: the answer is not a well-formed HTTP response (bad status
//   line, Content-Length not met, bad chunks).
absl::StatusOr<HttpResponse> HttpSend(const HttpRequest& request,
                                      const HttpOptions& options);

// A GET, bounded by `timeout` (connect included).
absl::StatusOr<HttpResponse> HttpGet(const HttpUrl& url, absl::Duration timeout,
                                     const std::atomic<bool>* cancel = nullptr);

// A POST of `body` with the given Content-Type, bounded by `timeout`.
absl::StatusOr<HttpResponse> HttpPost(
    const HttpUrl& url, absl::string_view content_type, absl::string_view body,
    absl::Duration timeout, const std::atomic<bool>* cancel = nullptr);

}  // namespace swell::common
