#pragma once

// URLs the HTTP client (common/http_client.h) accepts, parsed and checked
// before anything touches the network. Pure: no I/O, no name resolution.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace swell::common {

// An http:// or https:// URL.
struct HttpUrl {
  // The host as written, without brackets: "127.0.0.1", "::1",
  // "prometheus.internal".
  std::string host;
  bool ipv6 = false;        // written as [addr]
  bool https = false;       // https://: TLS, the server's certificate verified
  int port = 80;            // 443 when https and not written
  std::string host_header;  // as written: "127.0.0.1:9100", "localhost"
  std::string path = "/";   // with the query, if any
  // Set by ParseLoopbackUrl: the client connects only to loopback
  // addresses (127.0.0.0/8, ::1), whatever a name resolves to, and takes
  // "localhost" as 127.0.0.1 without resolving it.
  bool loopback_only = false;

  // The URL to hand to the transport: scheme, authority as written, path.
  std::string Text() const;
};

// Accepts http://HOST[:PORT][/PATH][?QUERY]. kInvalidArgument saying why
// for another scheme (https included), user info, a missing host or a bad
// port.
absl::StatusOr<HttpUrl> ParseHttpUrl(absl::string_view url);

// As ParseHttpUrl, and https://HOST[:PORT][/PATH][?QUERY] too. For readers
// that may cross the network: the controller asking Prometheus.
absl::StatusOr<HttpUrl> ParseHttpOrHttpsUrl(absl::string_view url);

// As ParseHttpUrl, and the host must be loopback: 127.0.0.1, localhost or
// [::1]. Sets `loopback_only`. For readers that must never reach across
// the network: the agent's collectors.
absl::StatusOr<HttpUrl> ParseLoopbackUrl(absl::string_view url);

// `text` percent-encoded for a query string or a form body
// (application/x-www-form-urlencoded): unreserved characters are kept,
// everything else is %XX.
std::string FormEncode(absl::string_view text);

}  // namespace swell::common
