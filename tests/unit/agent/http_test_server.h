#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace swell::agent::testing {

// Listens on 127.0.0.1:0 and answers the first responses.size()
// connections, in order, each with its canned bytes after reading the
// request (head, and a Content-Length body), then closes it. Requests are kept for assertions.
class CannedHttpServer {
 public:
  explicit CannedHttpServer(std::vector<std::string> responses)
      : responses_(std::move(responses)) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    listen(fd_, 8);
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~CannedHttpServer() {
    shutdown(fd_, SHUT_RDWR);  // wakes accept() if not all were served
    thread_.join();
    close(fd_);
  }

  int port() const { return port_; }
  std::string url(const std::string& path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::vector<std::string> requests() {
    absl::MutexLock lock(&mu_);
    return requests_;
  }

 private:
  void Serve() {
    for (const std::string& response : responses_) {
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string request;
      char buf[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = read(c, buf, sizeof(buf));
        if (n <= 0) break;
        request.append(buf, static_cast<size_t>(n));
      }
      ReadBody(c, request);
      {
        absl::MutexLock lock(&mu_);
        requests_.push_back(request);
      }
      size_t off = 0;
      while (off < response.size()) {
        ssize_t n =
            send(c, response.data() + off, response.size() - off, MSG_NOSIGNAL);
        if (n <= 0) break;
        off += static_cast<size_t>(n);
      }
      close(c);
    }
  }

  // Reads the rest of a body announced by Content-Length (a POST's).
  static void ReadBody(int c, std::string& request) {
    const std::string key = "Content-Length: ";
    size_t at = request.find(key);
    size_t head_end = request.find("\r\n\r\n");
    if (at == std::string::npos || head_end == std::string::npos) return;
    size_t want = head_end + 4 + std::stoul(request.substr(at + key.size()));
    char buf[4096];
    while (request.size() < want) {
      ssize_t n = read(c, buf, sizeof(buf));
      if (n <= 0) break;
      request.append(buf, static_cast<size_t>(n));
    }
  }

  const std::vector<std::string> responses_;
  int fd_ = -1;
  int port_ = 0;
  absl::Mutex mu_;
  std::vector<std::string> requests_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace swell::agent::testing
