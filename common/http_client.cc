#include "common/http_client.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/curl_errors.h"
#include "spdlog/spdlog.h"

namespace swell::common {
namespace {

constexpr long kCancelPollMs = 100;
constexpr size_t kMaxHeaderBytes = 64 << 10;

// curl_global_init is not guaranteed thread-safe on every build, and must
// run before any other libcurl call: once per process, never cleaned up.
void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT); rc != CURLE_OK) {
      spdlog::critical("curl_global_init: {}", curl_easy_strerror(rc));
      std::abort();
    }
  });
}

struct EasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct MultiDeleter {
  void operator()(CURLM* m) const { curl_multi_cleanup(m); }
};
struct ListDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using Easy = std::unique_ptr<CURL, EasyDeleter>;
using Multi = std::unique_ptr<CURLM, MultiDeleter>;
using List = std::unique_ptr<curl_slist, ListDeleter>;

// What the callbacks of one exchange share with it.
struct Exchange {
  bool loopback_only = false;
  size_t max_body = 0;
  std::string body;
  bool too_large = false;
  size_t header_bytes = 0;
  bool headers_too_large = false;
  // The last header block ended with its blank line: a response cut short
  // inside its headers is not taken for one without a body.
  bool headers_complete = false;
  std::string refused_address;  // a non-loopback address not connected to
};

bool IsLoopback(const sockaddr* a) {
  if (a->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(a);
    return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
  }
  if (a->sa_family == AF_INET6) {
    const in6_addr& in6 = reinterpret_cast<const sockaddr_in6*>(a)->sin6_addr;
    if (IN6_IS_ADDR_LOOPBACK(&in6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&in6) && in6.s6_addr[12] == 127;
  }
  return false;
}

std::string AddressText(const sockaddr* a) {
  char text[INET6_ADDRSTRLEN] = "?";
  if (a->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(a)->sin_addr, text,
              sizeof(text));
  } else if (a->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(a)->sin6_addr,
              text, sizeof(text));
  }
  return text;
}

// Every socket libcurl opens passes here, after resolution and before
// connect: the one place a loopback-only exchange is held to loopback.
curl_socket_t OpenSocket(void* clientp, curlsocktype purpose,
                         curl_sockaddr* address) {
  auto* x = static_cast<Exchange*>(clientp);
  if (x->loopback_only && !IsLoopback(&address->addr)) {
    x->refused_address = AddressText(&address->addr);
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype | SOCK_CLOEXEC,
                address->protocol);
}

size_t OnBody(char* data, size_t size, size_t count, void* userp) {
  auto* x = static_cast<Exchange*>(userp);
  const size_t n = size * count;
  if (n > x->max_body - x->body.size()) {
    x->too_large = true;
    return CURL_WRITEFUNC_ERROR;
  }
  x->body.append(data, n);
  return n;
}

// Called with each header line, status lines included.
size_t OnHeader(char* data, size_t size, size_t count, void* userp) {
  auto* x = static_cast<Exchange*>(userp);
  const size_t n = size * count;
  x->header_bytes += n;
  if (x->header_bytes > kMaxHeaderBytes) {
    x->headers_too_large = true;
    return 0;
  }
  const absl::string_view line(data, n);
  if (absl::StartsWith(line, "HTTP/")) {
    x->headers_complete = false;  // a new block (after a 1xx)
  } else if (line == "\r\n" || line == "\n") {
    x->headers_complete = true;
  }
  return n;
}

long Millis(absl::Duration d) {
  return static_cast<long>(
      std::clamp<int64_t>(absl::ToInt64Milliseconds(d), 1, 1LL << 30));
}

bool HasLineBreakOrControl(absl::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    return absl::ascii_iscntrl(static_cast<unsigned char>(c));
  });
}

// Sets every option of the exchange. Each setopt here takes a value of the
// right type and cannot fail short of memory, so their codes are not
// checked one by one; a failure shows at perform.
void Configure(CURL* c, const HttpRequest& request, const HttpOptions& options,
               Exchange* x, curl_slist* headers, curl_slist* resolve,
               char* error_buffer) {
  const HttpUrl& url = request.url;
  curl_easy_setopt(c, CURLOPT_URL, url.Text().c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, url.https ? "https" : "http");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_PROXY, "");  // ignore http_proxy and friends
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
  curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
  curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "swell");
  curl_easy_setopt(c, CURLOPT_HTTP_CONTENT_DECODING, 0L);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   Millis(std::min(options.connect_timeout, options.timeout)));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, Millis(options.timeout));
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
                   static_cast<curl_off_t>(options.max_response_bytes));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
  curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, OpenSocket);
  curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, x);
  if (resolve != nullptr) curl_easy_setopt(c, CURLOPT_RESOLVE, resolve);
  if (url.https) {
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(c, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2);
    if (!options.ca_file.empty()) {
      curl_easy_setopt(c, CURLOPT_CAINFO, options.ca_file.c_str());
      curl_easy_setopt(c, CURLOPT_CAPATH, nullptr);  // only ca_file's CAs
    }
  }
  if (!options.bearer_token.empty()) {
    curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
    curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, options.bearer_token.c_str());
  }
  if (request.post) {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
  }
}

// Runs the transfer, looking at `cancel` between waits.
CURLcode Perform(CURL* c, const std::atomic<bool>* cancel, bool* cancelled) {
  Multi multi(curl_multi_init());
  if (multi == nullptr) return CURLE_OUT_OF_MEMORY;
  if (curl_multi_add_handle(multi.get(), c) != CURLM_OK) {
    return CURLE_OUT_OF_MEMORY;
  }
  CURLcode result = CURLE_OK;
  while (true) {
    if (cancel != nullptr && cancel->load()) {
      *cancelled = true;
      break;
    }
    int running = 0;
    if (curl_multi_perform(multi.get(), &running) != CURLM_OK) {
      result = CURLE_OUT_OF_MEMORY;
      break;
    }
    if (running == 0) {
      int left = 0;
      CURLMsg* m = curl_multi_info_read(multi.get(), &left);
      result = m != nullptr && m->msg == CURLMSG_DONE ? m->data.result
                                                      : CURLE_RECV_ERROR;
      break;
    }
    curl_multi_poll(multi.get(), nullptr, 0, kCancelPollMs, nullptr);
  }
  curl_multi_remove_handle(multi.get(), c);
  return result;
}

}  // namespace

absl::StatusOr<HttpResponse> HttpSend(const HttpRequest& request,
                                      const HttpOptions& options) {
  InitCurlOnce();
  const HttpUrl& url = request.url;
  if (HasLineBreakOrControl(options.bearer_token)) {
    return absl::InvalidArgumentError(
        "the bearer token contains a line break or a control character");
  }
  if (HasLineBreakOrControl(request.content_type)) {
    return absl::InvalidArgumentError(
        "the Content-Type contains a line break or a control character");
  }
  Easy easy(curl_easy_init());
  if (easy == nullptr) return absl::ResourceExhaustedError("curl_easy_init");

  curl_slist* raw_headers = curl_slist_append(nullptr, "Connection: close");
  raw_headers = curl_slist_append(raw_headers, "Expect:");  // no 100-continue
  if (request.post) {
    raw_headers = curl_slist_append(
        raw_headers,
        absl::StrCat("Content-Type: ", request.content_type).c_str());
  }
  List headers(raw_headers);
  // "localhost" is 127.0.0.1, never looked up.
  List resolve;
  if (url.loopback_only && absl::EqualsIgnoreCase(url.host, "localhost")) {
    resolve.reset(curl_slist_append(
        nullptr, absl::StrCat(url.host, ":", url.port, ":127.0.0.1").c_str()));
  }

  Exchange x;
  x.loopback_only = url.loopback_only;
  x.max_body = options.max_response_bytes;
  char error_buffer[CURL_ERROR_SIZE] = "";
  Configure(easy.get(), request, options, &x, headers.get(), resolve.get(),
            error_buffer);

  bool cancelled = false;
  const CURLcode code = Perform(easy.get(), options.cancel, &cancelled);
  if (cancelled) return absl::CancelledError("cancelled");
  if (x.too_large || code == CURLE_FILESIZE_EXCEEDED) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "response body larger than ", options.max_response_bytes, " bytes"));
  }
  if (x.headers_too_large) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "response headers larger than ", kMaxHeaderBytes, " bytes"));
  }
  if (!x.refused_address.empty() && code != CURLE_OK) {
    return absl::PermissionDeniedError(absl::StrCat(
        url.host, " resolved to ", x.refused_address,
        ", which is not loopback: only loopback addresses are allowed"));
  }
  if (code != CURLE_OK) {
    return CurlFailure(code, error_buffer, options.ca_file);
  }
  if (!x.headers_complete) {
    return absl::DataLossError("response ended inside the headers");
  }
  long status = 0;
  curl_easy_getinfo(easy.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status < 100 || status > 999) {
    return absl::DataLossError(absl::StrCat("bad status ", status));
  }
  return HttpResponse{static_cast<int>(status), std::move(x.body)};
}

absl::StatusOr<HttpResponse> HttpGet(const HttpUrl& url, absl::Duration timeout,
                                     const std::atomic<bool>* cancel) {
  HttpOptions options;
  options.timeout = timeout;
  options.cancel = cancel;
  return HttpSend(HttpRequest{url, false, "", ""}, options);
}

absl::StatusOr<HttpResponse> HttpPost(const HttpUrl& url,
                                      absl::string_view content_type,
                                      absl::string_view body,
                                      absl::Duration timeout,
                                      const std::atomic<bool>* cancel) {
  HttpOptions options;
  options.timeout = timeout;
  options.cancel = cancel;
  return HttpSend(
      HttpRequest{url, true, std::string(content_type), std::string(body)},
      options);
}

}  // namespace swell::common
