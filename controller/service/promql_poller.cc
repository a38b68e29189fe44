#include "controller/service/promql_poller.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/http_client.h"
#include "spdlog/spdlog.h"

namespace swell::controller {
namespace {

// The longest the poller sleeps before looking at its targets again.
constexpr absl::Duration kIdleWake = absl::Seconds(1);
// Name resolution, connect and TLS handshake, within kPromqlTimeout.
constexpr absl::Duration kConnectTimeout = absl::Seconds(3);
constexpr size_t kMaxTokenBytes = 16 << 10;

// The token in `path`, without surrounding whitespace (a trailing newline).
// Read at every query, so that a rotated token takes effect at once. The
// errors name the field and the path, never the content.
absl::StatusOr<std::string> ReadBearerToken(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::FailedPreconditionError(absl::StrCat(
        "bearer_token_file ", path, ": cannot be read: ", strerror(errno)));
  }
  std::string token(kMaxTokenBytes + 1, '\0');
  in.read(token.data(), static_cast<std::streamsize>(token.size()));
  token.resize(static_cast<size_t>(in.gcount()));
  if (token.size() > kMaxTokenBytes) {
    return absl::FailedPreconditionError(
        absl::StrCat("bearer_token_file ", path, ": larger than ",
                     kMaxTokenBytes, " bytes"));
  }
  absl::string_view trimmed = absl::StripAsciiWhitespace(token);
  if (trimmed.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("bearer_token_file ", path, ": is empty"));
  }
  return std::string(trimmed);
}

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
      common::ParseHttpOrHttpsUrl(absl::StrCat(base, "/api/v1/query"));
  if (!url.ok()) {
    reading.at = clock.Now();
    reading.error = std::string(url.status().message());
    return reading;
  }
  common::HttpOptions options;
  options.timeout = kPromqlTimeout;
  options.connect_timeout = kConnectTimeout;
  options.ca_file = target.ca_file;
  options.cancel = cancel;
  if (!target.bearer_token_file.empty()) {
    if (!url->https) {  // the plan parser refuses this too
      reading.at = clock.Now();
      reading.error =
          absl::StrCat("bearer_token_file ", target.bearer_token_file,
                       ": not sent to an http:// server");
      return reading;
    }
    absl::StatusOr<std::string> token =
        ReadBearerToken(target.bearer_token_file);
    if (!token.ok()) {
      reading.at = clock.Now();
      reading.error = std::string(token.status().message());
      return reading;
    }
    options.bearer_token = *std::move(token);
  }
  absl::StatusOr<common::HttpResponse> response = common::HttpSend(
      {*std::move(url), true, "application/x-www-form-urlencoded",
       absl::StrCat("query=", common::FormEncode(target.query))},
      options);
  reading.at = clock.Now();
  if (!response.ok()) {
    reading.error = absl::StrCat("no answer: ", response.status().message());
    return reading;
  }
  ReadPromqlResponse(response->status, response->body, &reading);
  return reading;
}

PromqlPoller::PromqlPoller(PromqlReadings* readings, const common::Clock* clock)
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
