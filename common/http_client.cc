#include "common/http_client.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <cstring>
#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"

namespace swell::common {
namespace {

constexpr absl::Duration kCancelPoll = absl::Milliseconds(100);

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Waits for `events` on fd until the deadline, waking to look at `cancel`.
absl::Status WaitFd(int fd, short events, absl::Time deadline,
                    const std::atomic<bool>* cancel) {
  while (true) {
    if (cancel != nullptr && *cancel) return absl::CancelledError("cancelled");
    absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError("timed out");
    }
    pollfd p{fd, events, 0};
    int ms = static_cast<int>(
        absl::ToInt64Milliseconds(std::min(left, kCancelPoll)) + 1);
    int r = poll(&p, 1, ms);
    if (r > 0) return absl::OkStatus();
    if (r < 0 && errno != EINTR) {
      return absl::UnavailableError(absl::StrCat("poll: ", strerror(errno)));
    }
  }
}

absl::Status FinishConnect(int fd, const sockaddr* addr, socklen_t len,
                           absl::Time deadline,
                           const std::atomic<bool>* cancel) {
  if (connect(fd, addr, len) == 0) return absl::OkStatus();
  if (errno != EINPROGRESS) {
    return absl::UnavailableError(absl::StrCat("connect: ", strerror(errno)));
  }
  if (absl::Status s = WaitFd(fd, POLLOUT, deadline, cancel); !s.ok()) {
    return s;
  }
  int err = 0;
  socklen_t err_len = sizeof(err);
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &err_len);
  if (err != 0) {
    return absl::UnavailableError(absl::StrCat("connect: ", strerror(err)));
  }
  return absl::OkStatus();
}

// Connects a new non-blocking socket to the first of `url`'s addresses
// that accepts.
absl::StatusOr<int> Connect(const HttpUrl& url, absl::Time deadline,
                            const std::atomic<bool>* cancel) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  const std::string host =
      absl::EqualsIgnoreCase(url.host, "localhost") ? "127.0.0.1" : url.host;
  const std::string port = std::to_string(url.port);
  addrinfo* found = nullptr;
  if (int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &found);
      rc != 0) {
    return absl::UnavailableError(
        absl::StrCat("resolve ", host, ": ", gai_strerror(rc)));
  }
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> addresses(found,
                                                           freeaddrinfo);
  absl::Status last = absl::UnavailableError("no address");
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    int fd = socket(a->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    0);
    if (fd < 0) {
      last = absl::UnavailableError(absl::StrCat("socket: ", strerror(errno)));
      continue;
    }
    last = FinishConnect(fd, a->ai_addr, a->ai_addrlen, deadline, cancel);
    if (last.ok()) return fd;
    close(fd);
    if (absl::IsCancelled(last) || absl::IsDeadlineExceeded(last)) break;
  }
  return last;
}

absl::Status SendAll(int fd, absl::string_view data, absl::Time deadline,
                     const std::atomic<bool>* cancel) {
  while (!data.empty()) {
    ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (absl::Status s = WaitFd(fd, POLLOUT, deadline, cancel); !s.ok()) {
        return s;
      }
    } else {
      return absl::UnavailableError(absl::StrCat("send: ", strerror(errno)));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadToEof(int fd, absl::Time deadline,
                                      const std::atomic<bool>* cancel) {
  std::string out;
  char buf[16384];
  while (true) {
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n == 0) return out;
    if (n > 0) {
      out.append(buf, static_cast<size_t>(n));
      if (out.size() > kMaxHttpResponseBytes) {
        return absl::ResourceExhaustedError(absl::StrCat(
            "response larger than ", kMaxHttpResponseBytes, " bytes"));
      }
    } else if (errno == EAGAIN || errno == EINTR) {
      if (absl::Status s = WaitFd(fd, POLLIN, deadline, cancel); !s.ok()) {
        return s;
      }
    } else {
      return absl::UnavailableError(absl::StrCat("recv: ", strerror(errno)));
    }
  }
}

absl::StatusOr<std::string> Dechunk(absl::string_view in) {
  std::string out;
  while (true) {
    size_t eol = in.find("\r\n");
    if (eol == absl::string_view::npos) {
      return absl::DataLossError("truncated chunk size");
    }
    absl::string_view size_text = in.substr(0, eol);
    size_text = size_text.substr(0, size_text.find(';'));  // extensions
    uint64_t size;
    if (!absl::SimpleHexAtoi(absl::StripAsciiWhitespace(size_text), &size)) {
      return absl::DataLossError("bad chunk size");
    }
    in.remove_prefix(eol + 2);
    if (size == 0) return out;  // trailers, if any, are ignored
    if (in.size() < size + 2 || in.substr(size, 2) != "\r\n") {
      return absl::DataLossError("truncated chunk");
    }
    out.append(in.data(), size);
    in.remove_prefix(size + 2);
  }
}

absl::StatusOr<HttpResponse> ParseResponse(absl::string_view raw) {
  size_t head_end = raw.find("\r\n\r\n");
  if (head_end == absl::string_view::npos) {
    return absl::DataLossError("response ended inside the headers");
  }
  std::vector<absl::string_view> lines =
      absl::StrSplit(raw.substr(0, head_end), "\r\n");
  absl::string_view body = raw.substr(head_end + 4);
  // "HTTP/1.x NNN reason"
  absl::string_view status_line = lines[0];
  HttpResponse response;
  if (!absl::StartsWith(status_line, "HTTP/1.") || status_line.size() < 12 ||
      status_line[8] != ' ' ||
      !absl::SimpleAtoi(status_line.substr(9, 3), &response.status) ||
      response.status < 100 || response.status > 999) {
    return absl::DataLossError(
        absl::StrCat("bad status line '", status_line.substr(0, 60), "'"));
  }
  bool chunked = false;
  std::optional<uint64_t> length;
  for (size_t i = 1; i < lines.size(); ++i) {
    size_t colon = lines[i].find(':');
    if (colon == absl::string_view::npos) continue;
    absl::string_view name = lines[i].substr(0, colon);
    absl::string_view value =
        absl::StripAsciiWhitespace(lines[i].substr(colon + 1));
    if (absl::EqualsIgnoreCase(name, "Transfer-Encoding")) {
      chunked = absl::StrContains(absl::AsciiStrToLower(value), "chunked");
    } else if (absl::EqualsIgnoreCase(name, "Content-Length")) {
      uint64_t n;
      if (!absl::SimpleAtoi(value, &n)) {
        return absl::DataLossError("bad Content-Length");
      }
      length = n;
    }
  }
  if (chunked) {
    absl::StatusOr<std::string> plain = Dechunk(body);
    if (!plain.ok()) return plain.status();
    response.body = *std::move(plain);
  } else if (length.has_value()) {
    if (body.size() < *length) {
      return absl::DataLossError(absl::StrCat("body ended after ", body.size(),
                                              " of ", *length, " bytes"));
    }
    response.body = std::string(body.substr(0, *length));
  } else {
    response.body = std::string(body);
  }
  return response;
}

}  // namespace

absl::StatusOr<HttpUrl> ParseHttpUrl(absl::string_view url) {
  absl::string_view rest = url;
  if (!absl::ConsumePrefix(&rest, "http://")) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", url, "' is not an http:// URL"));
  }
  HttpUrl out;
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
    return absl::InvalidArgumentError(
        absl::StrCat("'", url, "' has no host"));
  }
  out.host = std::string(host);
  if (!port.empty() && (!absl::SimpleAtoi(port, &out.port) || out.port < 1 ||
                        out.port > 65535)) {
    return absl::InvalidArgumentError(absl::StrCat("bad port '", port, "'"));
  }
  return out;
}

absl::StatusOr<HttpUrl> ParseLoopbackUrl(absl::string_view url) {
  absl::StatusOr<HttpUrl> out = ParseHttpUrl(url);
  if (!out.ok()) return out;
  const bool loopback = out->ipv6 ? out->host == "::1"
                                  : (out->host == "127.0.0.1" ||
                                     absl::EqualsIgnoreCase(out->host,
                                                            "localhost"));
  if (!loopback) {
    return absl::InvalidArgumentError(absl::StrCat(
        "host '", out->ipv6 ? absl::StrCat("[", out->host, "]") : out->host,
        "' is not loopback: only 127.0.0.1, localhost and [::1] are allowed"));
  }
  return out;
}

namespace {

absl::StatusOr<HttpResponse> Exchange(const HttpUrl& url,
                                      absl::string_view head_and_body,
                                      absl::Duration timeout,
                                      const std::atomic<bool>* cancel) {
  const absl::Time deadline = absl::Now() + timeout;
  absl::StatusOr<int> connected = Connect(url, deadline, cancel);
  if (!connected.ok()) return connected.status();
  Fd fd(*connected);
  if (absl::Status s = SendAll(fd.get(), head_and_body, deadline, cancel);
      !s.ok()) {
    return s;
  }
  absl::StatusOr<std::string> raw = ReadToEof(fd.get(), deadline, cancel);
  if (!raw.ok()) return raw.status();
  return ParseResponse(*raw);
}

std::string RequestHead(absl::string_view method, const HttpUrl& url) {
  return absl::StrCat(method, " ", url.path, " HTTP/1.1\r\nHost: ",
                      url.host_header,
                      "\r\nUser-Agent: swell\r\nAccept: */*\r\n"
                      "Connection: close\r\n");
}

}  // namespace

absl::StatusOr<HttpResponse> HttpGet(const HttpUrl& url,
                                     absl::Duration timeout,
                                     const std::atomic<bool>* cancel) {
  return Exchange(url, absl::StrCat(RequestHead("GET", url), "\r\n"), timeout,
                  cancel);
}

absl::StatusOr<HttpResponse> HttpPost(const HttpUrl& url,
                                      absl::string_view content_type,
                                      absl::string_view body,
                                      absl::Duration timeout,
                                      const std::atomic<bool>* cancel) {
  return Exchange(url,
                  absl::StrCat(RequestHead("POST", url),
                               "Content-Type: ", content_type,
                               "\r\nContent-Length: ", body.size(), "\r\n\r\n",
                               body),
                  timeout, cancel);
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
