#include "cli/api_credentials.h"

#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/tls.h"
#include "grpcpp/security/credentials.h"

namespace swell::cli {
namespace {

// The token in `path`, surrounding whitespace removed. kNotFound when the
// file does not exist (the default file is optional).
absl::StatusOr<std::string> ReadTokenFile(const std::string& what,
                                          const std::string& path) {
  if (access(path.c_str(), F_OK) != 0 && errno == ENOENT) {
    return absl::NotFoundError(absl::StrCat(what, ": no file ", path));
  }
  std::ifstream in(path);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": cannot read ", path));
  }
  std::stringstream text;
  text << in.rdbuf();
  std::string token(absl::StripAsciiWhitespace(text.str()));
  if (token.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": ", path, " holds no token"));
  }
  return token;
}

absl::StatusOr<std::string> ResolveToken(const ParsedArgs& args,
                                         const Environment& env) {
  if (args.Has("token-file")) {
    absl::StatusOr<std::string> token =
        ReadTokenFile("--token-file", args.Get("token-file"));
    if (absl::IsNotFound(token.status())) {
      return absl::InvalidArgumentError(token.status().message());
    }
    return token;
  }
  if (!env.token.empty()) return env.token;
  if (env.default_token_file.empty()) return std::string();
  absl::StatusOr<std::string> token =
      ReadTokenFile("token file", env.default_token_file);
  if (absl::IsNotFound(token.status())) return std::string();
  return token;
}

}  // namespace

absl::StatusOr<ApiCredentials> ResolveApiCredentials(const ParsedArgs& args,
                                                     const Environment& env) {
  ApiCredentials out;
  const std::string ca = args.Get("ca", env.ca);
  if (ca.empty()) {
    out.channel = grpc::InsecureChannelCredentials();
    return out;
  }
  common::TlsFiles files;
  files.ca = ca;
  files.flag_prefix = "--";
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> channel =
      common::TlsChannelCredentials(files);
  if (!channel.ok()) {
    if (args.Has("ca")) return channel.status();
    // The message starts with the flag's name; the file came from SWELL_CA.
    return absl::InvalidArgumentError(
        absl::StrCat("SWELL_CA", channel.status().message().substr(4)));
  }
  out.channel = *std::move(channel);
  out.tls = true;
  absl::StatusOr<std::string> token = ResolveToken(args, env);
  if (!token.ok()) return token.status();
  out.token = *std::move(token);
  return out;
}

}  // namespace swell::cli
