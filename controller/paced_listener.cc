#include "controller/paced_listener.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/listen_address.h"
#include "spdlog/spdlog.h"

namespace swell::controller {
namespace {

std::string Errno(const char* what) {
  return absl::StrCat(what, ": ", std::strerror(errno));
}

// "127.0.0.1:50432" for an IPv4 (or v4-mapped IPv6) peer, "::1:50432" for
// IPv6: the same text PeerKey gives for gRPC's peer string.
std::string KeyOf(const sockaddr_storage& addr) {
  char text[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &v4->sin_addr, text, sizeof(text));
    return absl::StrCat(text, ":", ntohs(v4->sin_port));
  }
  const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&addr);
  if (IN6_IS_ADDR_V4MAPPED(&v6->sin6_addr)) {
    inet_ntop(AF_INET, &v6->sin6_addr.s6_addr[12], text, sizeof(text));
  } else {
    inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof(text));
  }
  return absl::StrCat(text, ":", ntohs(v6->sin6_port));
}

// One listening socket on `ai`, on `port` (0: any). -1 and `error` set.
int Listen(const addrinfo& ai, int port, bool v6_only, std::string* error) {
  const int fd =
      socket(ai.ai_family, ai.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *error = Errno("socket");
    return -1;
  }
  // SO_REUSEADDR, never SO_REUSEPORT: a second controller on the same port
  // must fail to start, not share the agents.
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_storage addr{};
  std::memcpy(&addr, ai.ai_addr, ai.ai_addrlen);
  if (ai.ai_family == AF_INET6) {
    const int flag = v6_only ? 1 : 0;
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &flag, sizeof(flag));
    reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port = htons(port);
  } else {
    reinterpret_cast<sockaddr_in*>(&addr)->sin_port = htons(port);
  }
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), ai.ai_addrlen) != 0 ||
      listen(fd, SOMAXCONN) != 0) {
    *error = Errno("bind");
    close(fd);
    return -1;
  }
  return fd;
}

int BoundPort(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return addr.ss_family == AF_INET6
             ? ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port)
             : ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
}

// Whether the client closed the connection while it waited to be accepted
// (its ClientHello may still be unread).
bool ClosedByPeer(int fd) {
  pollfd p{fd, POLLRDHUP, 0};
  return poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

}  // namespace

std::string PacedListener::PeerKey(std::string_view grpc_peer) {
  // "ipv4:127.0.0.1:50432", "ipv6:[::1]:50432", "ipv6:%5B::1%5D:50432".
  if (const size_t scheme = grpc_peer.find(':');
      scheme != std::string_view::npos &&
      (grpc_peer.substr(0, scheme) == "ipv4" ||
       grpc_peer.substr(0, scheme) == "ipv6")) {
    grpc_peer.remove_prefix(scheme + 1);
  }
  return absl::StrReplaceAll(
      absl::string_view(grpc_peer.data(), grpc_peer.size()),
      {{"%5B", ""}, {"%5D", ""}, {"[", ""}, {"]", ""}});
}

absl::StatusOr<std::unique_ptr<PacedListener>> PacedListener::Bind(
    const std::string& listen, Options options) {
  std::string host;
  int port = 0;
  if (absl::Status s =
          common::SplitListenAddress(listen, "--listen", &host, &port);
      !s.ok()) {
    return s;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = absl::StrCat(port);
  if (int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(),
                           service.c_str(), &hints, &found);
      rc != 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", listen, ": ", gai_strerror(rc)));
  }
  std::vector<int> fds;
  std::string error;
  const bool several = found != nullptr && found->ai_next != nullptr;
  for (const addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    // Every address on the same port: the first one bound picks it. As
    // gRPC's listener, one bound address is enough ("localhost" on a host
    // without IPv6 still serves 127.0.0.1).
    std::string failed;
    const int fd = Listen(*ai, fds.empty() ? port : BoundPort(fds.front()),
                          several, &failed);
    if (fd >= 0) {
      fds.push_back(fd);
    } else if (error.empty()) {
      error = failed;
    }
  }
  freeaddrinfo(found);
  if (fds.empty()) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", listen, ": ", error));
  }
  if (!error.empty()) {
    spdlog::warn(
        "{}: some of its addresses could not be bound ({}); serving "
        "the others",
        listen, error);
  }
  if (options.max_handshakes == 0) options.max_handshakes = 1;
  const int bound = BoundPort(fds.front());
  return std::unique_ptr<PacedListener>(
      new PacedListener(std::move(fds), bound, options));
}

PacedListener::PacedListener(std::vector<int> fds, int port, Options options)
    : listeners_(std::move(fds)),
      port_(port),
      options_(options),
      wake_fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}

PacedListener::~PacedListener() {
  Stop();
  for (int fd : listeners_) close(fd);
  close(wake_fd_);
}

void PacedListener::Start(
    std::unique_ptr<grpc::experimental::ExternalConnectionAcceptor> acceptor) {
  acceptor_ = std::move(acceptor);
  thread_ = std::thread([this] { Run(); });
}

void PacedListener::Stop() {
  if (stop_.exchange(true)) return;
  const uint64_t one = 1;
  (void)!write(wake_fd_, &one, sizeof(one));
  if (thread_.joinable()) thread_.join();
}

void PacedListener::StreamBegan(std::string_view peer) {
  {
    absl::MutexLock lock(&mu_);
    if (in_flight_.erase(PeerKey(peer)) == 0) return;
  }
  const uint64_t one = 1;
  (void)!write(wake_fd_, &one, sizeof(one));
}

size_t PacedListener::handshakes_in_flight() const {
  absl::MutexLock lock(&mu_);
  return in_flight_.size();
}

size_t PacedListener::waiting() const {
  size_t n = 0;
  for (int fd : listeners_) {
    // On a listening socket, tcpi_unacked is the accept queue's length.
    tcp_info info{};
    socklen_t len = sizeof(info);
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) == 0) {
      n += info.tcpi_unacked;
    }
  }
  return n;
}

void PacedListener::ExpireSlots(absl::Time now) {
  absl::MutexLock lock(&mu_);
  absl::erase_if(in_flight_, [&](const auto& slot) {
    if (slot.second > now) return false;
    slots_expired_++;
    return true;
  });
}

absl::Duration PacedListener::UntilNextExpiry(absl::Time now) const {
  absl::MutexLock lock(&mu_);
  absl::Duration next = absl::Seconds(1);
  for (const auto& [key, expiry] : in_flight_) {
    next = std::min(next, expiry - now);
  }
  return std::max(next, absl::Milliseconds(1));
}

void PacedListener::Run() {
  std::vector<pollfd> polled(listeners_.size() + 1);
  while (!stop_) {
    const absl::Time now = absl::Now();
    ExpireSlots(now);
    // While every slot is taken, only a freed slot (or Stop) wakes us: the
    // waiting connections stay in the kernel's queue.
    const bool room = handshakes_in_flight() < options_.max_handshakes;
    polled[0] = {wake_fd_, POLLIN, 0};
    for (size_t i = 0; i < listeners_.size(); ++i) {
      polled[i + 1] = {room ? listeners_[i] : -1, POLLIN, 0};
    }
    const int timeout =
        static_cast<int>(absl::ToInt64Milliseconds(UntilNextExpiry(now)));
    if (poll(polled.data(), polled.size(), timeout) < 0 && errno != EINTR) {
      spdlog::error("{}", Errno("agent listener: poll"));
      absl::SleepFor(absl::Milliseconds(100));
      continue;
    }
    if (polled[0].revents & POLLIN) {
      uint64_t n = 0;
      (void)!read(wake_fd_, &n, sizeof(n));
    }
    for (size_t i = 0; i < listeners_.size() && !stop_; ++i) {
      if (polled[i + 1].revents & POLLIN) AcceptFrom(listeners_[i]);
    }
  }
}

void PacedListener::AcceptFrom(int listener) {
  while (!stop_ && handshakes_in_flight() < options_.max_handshakes) {
    sockaddr_storage peer{};
    socklen_t len = sizeof(peer);
    const int fd = accept4(listener, reinterpret_cast<sockaddr*>(&peer), &len,
                           SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE) {
        // Out of descriptors: let the queue hold the rest for a while.
        spdlog::warn("{}", Errno("agent listener: accept"));
        absl::SleepFor(absl::Milliseconds(100));
      }
      return;  // EAGAIN: the queue is empty; or a transient error
    }
    if (ClosedByPeer(fd)) {
      close(fd);
      dropped_closed_++;
      continue;
    }
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    {
      absl::MutexLock lock(&mu_);
      in_flight_[KeyOf(peer)] = absl::Now() + options_.slot_timeout;
    }
    accepted_++;
    grpc::experimental::ExternalConnectionAcceptor::NewConnectionParameters
        params;
    params.listener_fd = listener;
    params.fd = fd;  // gRPC owns it from here
    acceptor_->HandleNewConnection(&params);
  }
}

}  // namespace swell::controller
