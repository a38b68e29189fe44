#include "common/curl_errors.h"

#include "absl/strings/str_cat.h"

namespace swell::common {

absl::Status CurlFailure(CURLcode code, const char* detail,
                         const std::string& ca_file) {
  const std::string words = detail != nullptr && detail[0] != '\0'
                                ? std::string(detail)
                                : std::string(curl_easy_strerror(code));
  auto with = [&](absl::string_view what) {
    return absl::StrCat(what, ": ", words);
  };
  switch (code) {
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      // The URL was checked before; what is left is an answer that is not
      // HTTP at all (HTTP/0.9 is refused as such).
      return code == CURLE_URL_MALFORMAT
                 ? absl::InvalidArgumentError(with("bad URL"))
                 : absl::DataLossError(with("not an HTTP response"));
    case CURLE_COULDNT_RESOLVE_HOST:
      return absl::UnavailableError(with("resolve"));
    case CURLE_COULDNT_CONNECT:
      return absl::UnavailableError(with("connect"));
    case CURLE_OPERATION_TIMEDOUT:
      return absl::DeadlineExceededError(with("timed out"));
    case CURLE_PEER_FAILED_VERIFICATION:
      return absl::FailedPreconditionError(absl::StrCat(
          "TLS: the server's certificate was refused",
          ca_file.empty() ? " (system CAs)"
                          : absl::StrCat(" (CAs of ca_file ", ca_file, ")"),
          ": ", words));
    case CURLE_SSL_CACERT_BADFILE:
      return absl::FailedPreconditionError(
          absl::StrCat("TLS: ",
                       ca_file.empty() ? std::string("the system's CA store")
                                       : absl::StrCat("ca_file ", ca_file),
                       " cannot be read or holds no certificate: ", words));
    case CURLE_SSL_CONNECT_ERROR:
      return absl::UnavailableError(with("TLS handshake"));
    case CURLE_SEND_ERROR:
      return absl::UnavailableError(with("send"));
    case CURLE_RECV_ERROR:
      return absl::UnavailableError(with("receive"));
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_HTTP2:
      return absl::DataLossError(with("malformed or short response"));
    case CURLE_FILESIZE_EXCEEDED:
    case CURLE_OUT_OF_MEMORY:
      return absl::ResourceExhaustedError(with("too large"));
    case CURLE_ABORTED_BY_CALLBACK:
      return absl::CancelledError(with("cancelled"));
    default:
      return absl::UnavailableError(
          absl::StrCat("curl error ", static_cast<int>(code), ": ", words));
  }
}

}  // namespace swell::common
