#pragma once

// Small helpers the test fixtures share.

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace swell::test_support {

// Polls `done` every 2 ms until it holds (true) or `limit` passes (false):
// for effects that happen on other threads with no answer to wait for.
bool Eventually(const std::function<bool()>& done,
                absl::Duration limit = absl::Seconds(20));

// "what: <strerror(errno)>".
std::string ErrnoText(const char* what);

// A port on 127.0.0.1 that was free (nothing listened on it) a moment ago.
// A server started on it may still lose a race for it.
absl::StatusOr<int> FreeLoopbackPort();

// The whole file, or "" when it cannot be read.
std::string ReadFileOrEmpty(const std::string& path);

// Removes `dir` and everything below it; kInternal saying why when it
// cannot.
absl::Status RemoveTree(const std::string& dir);

// A socket listening on 127.0.0.1 at a free port while it lives: an
// address in use, for tests of what a server does when it cannot bind.
class LoopbackListener {
 public:
  LoopbackListener();
  ~LoopbackListener();
  LoopbackListener(const LoopbackListener&) = delete;
  LoopbackListener& operator=(const LoopbackListener&) = delete;

  bool ok() const { return port_ > 0; }
  int port() const { return port_; }
  std::string address() const;    // "127.0.0.1:PORT"
  int fd() const { return fd_; }  // for a test that accepts itself

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace swell::test_support
