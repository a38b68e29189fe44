#pragma once

// How swellctl proves the controller is the controller, and who it is
// itself: the channel's credentials and the bearer token.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "cli/app.h"
#include "cli/args.h"
#include "grpcpp/security/credentials.h"

namespace swell::cli {

struct ApiCredentials {
  // TLS verifying the controller with --ca (else $SWELL_CA); plaintext,
  // for an --insecure controller on loopback, when neither is given.
  std::shared_ptr<grpc::ChannelCredentials> channel;
  bool tls = false;
  // The bearer token, from the first of --token-file FILE, $SWELL_TOKEN
  // and ~/.config/swell/token (when it exists) that gives one. Empty over
  // plaintext: a token is never sent where anyone on the path could read
  // it (an --insecure controller checks none anyway).
  std::string token;
};

// kInvalidArgument naming the flag or file for an unreadable CA file or
// token file, or an empty token file.
absl::StatusOr<ApiCredentials> ResolveApiCredentials(const ParsedArgs& args,
                                                     const Environment& env);

}  // namespace swell::cli
