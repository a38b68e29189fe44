#pragma once

// What the identity e2e tests read from outside the processes: a counter
// on a /metrics page, and how the agent listener answers a certificate.

#include <string>

#include "absl/strings/string_view.h"
#include "grpcpp/support/status.h"

namespace swell::e2e {

// The value of the first series on the /metrics page at `url` whose line
// starts with `series` (its name and, if need be, the opening of its
// labels); -1 when the page cannot be read or has no such series.
double MetricValue(const std::string& url, absl::string_view series);

// How the agent listener at `address` answers a stream that presents
// `cert`/`key` (verifying the listener with `ca`) and says hello as
// "probe", a host no certificate names: UNAVAILABLE when the handshake
// refuses the certificate, PERMISSION_DENIED when the certificate passes
// and the hello is refused. No host's stream is touched either way.
grpc::StatusCode ProbeAgentListener(const std::string& address,
                                    const std::string& cert,
                                    const std::string& key,
                                    const std::string& ca);

}  // namespace swell::e2e
