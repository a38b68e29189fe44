#include "controller/store/commit_listener.h"

#include <algorithm>
#include <utility>

#include "pqxx/connection"
#include "pqxx/except"
#include "pqxx/notification"
#include "spdlog/spdlog.h"

namespace swell::controller {
namespace {

class Receiver final : public pqxx::notification_receiver {
 public:
  Receiver(pqxx::connection_base& conn, std::function<void()> on_notify)
      : pqxx::notification_receiver(conn, kCommittedChannel),
        on_notify_(std::move(on_notify)) {}
  void operator()(const std::string&, int) override { on_notify_(); }

 private:
  std::function<void()> on_notify_;
};

}  // namespace

CommitListener::CommitListener(std::string conninfo,
                               std::function<void()> on_commit)
    : conninfo_(std::move(conninfo)), on_commit_(std::move(on_commit)) {}

CommitListener::~CommitListener() { Stop(); }

void CommitListener::Start() {
  thread_ = std::thread([this] { Run(); });
}

void CommitListener::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void CommitListener::Run() {
  absl::Duration backoff = absl::Milliseconds(200);
  absl::Time last_warning = absl::InfinitePast();
  while (true) {
    try {
      Listen();
      return;  // stopping
    } catch (const std::exception& e) {
      const bool was_listening = listening_.exchange(false);
      if (was_listening) backoff = absl::Milliseconds(200);
      if (absl::Now() - last_warning > absl::Seconds(10)) {
        spdlog::warn("cannot listen for commits ({}); retrying", e.what());
        last_warning = absl::Now();
      }
    }
    absl::MutexLock lock(&mu_);
    if (mu_.AwaitWithTimeout(absl::Condition(&stopping_), backoff)) return;
    backoff = std::min(backoff * 2, absl::Seconds(5));
  }
}

void CommitListener::Listen() {
  pqxx::connection conn(conninfo_);
  Receiver receiver(conn, [this] {
    notifications_++;
    on_commit_();
  });
  // LISTEN is in place: what was committed before it is read now.
  listening_ = true;
  on_commit_();
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) break;
    }
    conn.await_notification(0, 200'000);
  }
  listening_ = false;
}

}  // namespace swell::controller
