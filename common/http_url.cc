#include "common/http_url.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace swell::common {
namespace {

absl::StatusOr<HttpUrl> ParseUrl(absl::string_view url, bool allow_https) {
  absl::string_view rest = url;
  HttpUrl out;
  if (allow_https && absl::ConsumePrefix(&rest, "https://")) {
    out.https = true;
    out.port = 443;
  } else if (!absl::ConsumePrefix(&rest, "http://")) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", url, "' is not an http://",
                     allow_https ? " or https://" : "", " URL"));
  }
  for (char c : url) {
    if (!absl::ascii_isgraph(c)) {
      return absl::InvalidArgumentError(
          "a URL with a space or a control character is not allowed");
    }
  }
  size_t slash = rest.find_first_of("/?");
  absl::string_view authority = rest.substr(0, slash);
  if (slash != absl::string_view::npos) {
    out.path = std::string(rest.substr(slash));
    if (out.path[0] == '?') out.path = "/" + out.path;
  }
  if (absl::StrContains(authority, '@')) {
    return absl::InvalidArgumentError("a URL with user info is not allowed");
  }
  out.host_header = std::string(authority);
  absl::string_view host = authority;
  absl::string_view port;
  if (absl::StartsWith(authority, "[")) {
    size_t close = authority.find(']');
    if (close == absl::string_view::npos) {
      return absl::InvalidArgumentError("unterminated [ in host");
    }
    host = authority.substr(1, close - 1);
    out.ipv6 = true;
    absl::string_view after = authority.substr(close + 1);
    if (!after.empty() && !absl::ConsumePrefix(&after, ":")) {
      return absl::InvalidArgumentError("bad port");
    }
    port = after;
  } else if (size_t colon = authority.find(':');
             colon != absl::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("'", url, "' has no host"));
  }
  out.host = std::string(host);
  if (!port.empty() && (!absl::SimpleAtoi(port, &out.port) || out.port < 1 ||
                        out.port > 65535)) {
    return absl::InvalidArgumentError(absl::StrCat("bad port '", port, "'"));
  }
  return out;
}

}  // namespace

std::string HttpUrl::Text() const {
  return absl::StrCat(https ? "https://" : "http://", host_header, path);
}

absl::StatusOr<HttpUrl> ParseHttpUrl(absl::string_view url) {
  return ParseUrl(url, /*allow_https=*/false);
}

absl::StatusOr<HttpUrl> ParseHttpOrHttpsUrl(absl::string_view url) {
  return ParseUrl(url, /*allow_https=*/true);
}

absl::StatusOr<HttpUrl> ParseLoopbackUrl(absl::string_view url) {
  absl::StatusOr<HttpUrl> out = ParseHttpUrl(url);
  if (!out.ok()) return out;
  const bool loopback = out->ipv6
                            ? out->host == "::1"
                            : (out->host == "127.0.0.1" ||
                               absl::EqualsIgnoreCase(out->host, "localhost"));
  if (!loopback) {
    return absl::InvalidArgumentError(absl::StrCat(
        "host '", out->ipv6 ? absl::StrCat("[", out->host, "]") : out->host,
        "' is not loopback: only 127.0.0.1, localhost and [::1] are allowed"));
  }
  out->loopback_only = true;
  return out;
}

std::string FormEncode(absl::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' ||
        c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace swell::common
