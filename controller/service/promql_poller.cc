#include "controller/service/promql_poller.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/http_client.h"
#include "spdlog/spdlog.h"

namespace swell::controller {
namespace {

// The longest the poller sleeps before looking at its targets again.
constexpr absl::Duration kIdleWake = absl::Seconds(1);

}  // namespace

PromqlReading AskPrometheus(const PromqlTarget& target,
                            const common::Clock& clock,
                            const std::atomic<bool>* cancel) {
  PromqlReading reading;
  reading.url = target.url;
  reading.query = target.query;
  absl::string_view base = target.url;
  absl::ConsumeSuffix(&base, "/");
  absl::StatusOr<common::HttpUrl> url =
      common::ParseHttpUrl(absl::StrCat(base, "/api/v1/query"));
  if (!url.ok()) {
    reading.at = clock.Now();
    reading.error = std::string(url.status().message());
    return reading;
  }
  absl::StatusOr<common::HttpResponse> response = common::HttpPost(
      *url, "application/x-www-form-urlencoded",
      absl::StrCat("query=", common::FormEncode(target.query)),
      kPromqlTimeout, cancel);
  reading.at = clock.Now();
  if (!response.ok()) {
    reading.error = absl::StrCat("no answer: ", response.status().message());
    return reading;
  }
  ReadPromqlResponse(response->status, response->body, &reading);
  return reading;
}

PromqlPoller::PromqlPoller(PromqlReadings* readings,
                           const common::Clock* clock)
    : readings_(readings), clock_(clock) {}

PromqlPoller::~PromqlPoller() { Stop(); }

void PromqlPoller::Start() {
  thread_ = std::thread([this] { Run(); });
}

void PromqlPoller::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cancel_ = true;
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void PromqlPoller::SetTargets(std::vector<PromqlTarget> targets) {
  std::set<std::string> keys;
  bool changed = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::map<std::string, Scheduled> next;
    for (PromqlTarget& t : targets) {
      keys.insert(t.key);
      auto old = targets_.find(t.key);
      Scheduled s;
      if (old != targets_.end() && old->second.target == t) {
        s.next = old->second.next;  // the same query keeps its schedule
      } else {
        changed = true;
      }
      s.target = std::move(t);
      next.emplace(s.target.key, std::move(s));
    }
    changed |= next.size() != targets_.size();
    targets_ = std::move(next);
  }
  if (!changed) return;
  readings_->Retain(keys);
  cv_.notify_all();
}

void PromqlPoller::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    const absl::Time now = clock_->Now();
    std::vector<PromqlTarget> due;
    absl::Time wake = now + kIdleWake;
    for (auto& [key, s] : targets_) {
      if (s.next <= now) {
        due.push_back(s.target);
        s.next = now + s.target.interval;
      }
      wake = std::min(wake, s.next);
    }
    if (due.empty()) {
      cv_.wait_for(lock, absl::ToChronoMilliseconds(wake - now));
      continue;
    }
    lock.unlock();
    for (const PromqlTarget& t : due) {
      PromqlReading r = AskPrometheus(t, *clock_, &cancel_);
      stats_.queries++;
      if (!r.error.empty()) {
        stats_.failures++;
        spdlog::warn("promql {}: {}", t.key, r.error);
      }
      readings_->Put(t.key, std::move(r));
    }
    lock.lock();
  }
}

}  // namespace swell::controller
