#include "controller/service/pull_hosts.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"

namespace swell::controller {
namespace {

constexpr char kAgentServes[] =
    "swell-agent now serves this host; it reports for it";

}  // namespace

// One pull host, as the registry sees it. The registry calls Supersede and
// End under its own lock: they only mark the session, which the next
// request or sweep removes.
class PullHosts::Session final : public DesiredStateSink {
 public:
  explicit Session(PullHosts* owner) : messages_(owner->TargetsFor(this)) {}

  // The desired state is read from the published model (pull_api.cc);
  // nothing is queued here.
  void PushDesired(const swell::v1::DesiredState&) override {}
  void Supersede() override {
    SetEnded(absl::FailedPreconditionError(kAgentServes));
  }
  void End(const absl::Status& why) override { SetEnded(why); }

  absl::Status ended() const {
    std::lock_guard<std::mutex> lock(mu_);
    return ended_;
  }

  AgentMessageHandler& messages() { return messages_; }
  absl::Time last_contact = absl::InfinitePast();
  std::map<std::string, std::string> labels;  // as its hello gave them

 private:
  void SetEnded(const absl::Status& why) {
    std::lock_guard<std::mutex> lock(mu_);
    if (ended_.ok()) ended_ = why;
  }

  AgentMessageHandler messages_;
  mutable std::mutex mu_;
  absl::Status ended_;  // OK while the session serves its host
};

PullHosts::PullHosts(SessionRegistry* sessions, AgentTracker* tracker,
                     HealthWindow* health, AgentEvents events,
                     const common::Clock* clock, AgentServiceImpl* counters,
                     Options options)
    : sessions_(sessions),
      tracker_(tracker),
      health_(health),
      events_(std::move(events)),
      clock_(clock),
      counters_(counters),
      options_(options) {
  if (options_.sweep > absl::ZeroDuration()) {
    sweeper_ = std::thread([this] { SweepLoop(); });
  }
}

PullHosts::~PullHosts() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  if (sweeper_.joinable()) sweeper_.join();
  std::lock_guard<std::mutex> lock(mu_);
  while (!hosts_.empty()) EndLocked(hosts_.begin()->first);
}

absl::Status PullHosts::Report(const std::string& host,
                               const PullReport& report, const Fleet* fleet) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = hosts_.find(host);
  if (it != hosts_.end() && !it->second->ended().ok()) {
    absl::Status why = it->second->ended();
    EndLocked(host);
    // A revoked host stays refused; a host whose agent took over may come
    // back to the pull API once that agent is gone.
    if (why.code() == absl::StatusCode::kPermissionDenied) return why;
    it = hosts_.end();
  }
  // New labels are a new hello: the host's record takes its labels from
  // hellos, as when an agent restarts with a changed config.
  if (it != hosts_.end() && report.labels.has_value() &&
      *report.labels != it->second->labels) {
    EndLocked(host);
    it = hosts_.end();
  }
  // With no pull session of the host left, a stream the tracker still
  // counts is swell-agent's: registering would supersede it.
  if (it == hosts_.end() && tracker_->Connected(host)) {
    return absl::FailedPreconditionError(kAgentServes);
  }
  const absl::Time now = clock_->Now();
  swell::v1::AgentMessage msg;
  if (it == hosts_.end()) {
    swell::v1::Hello* hello = msg.mutable_hello();
    hello->set_host_id(host);
    hello->set_agent_version(kPullAgentVersion);
    hello->set_last_generation(report.generation);
    if (report.labels.has_value()) {
      hello->mutable_labels()->insert(report.labels->begin(),
                                      report.labels->end());
    } else if (fleet != nullptr) {
      if (auto h = fleet->hosts.find(host); h != fleet->hosts.end()) {
        hello->mutable_labels()->insert(h->second.labels.begin(),
                                        h->second.labels.end());
      }
    }
    for (const PullReport::Variable& v : report.variables) {
      swell::v1::ActualVariable* a = hello->add_actual();
      a->set_name(v.name);
      *a->mutable_value() = v.value;
    }
    auto session = std::make_unique<Session>(this);
    Session* s = session.get();
    if (absl::Status s_ok = s->messages().Handle(msg); !s_ok.ok()) {
      return s_ok;  // nothing was registered or recorded
    }
    s->labels = {msg.hello().labels().begin(), msg.hello().labels().end()};
    it = hosts_.emplace(host, std::move(session)).first;
  } else {
    msg.mutable_actual();  // a report of no variables is still a report
    for (const PullReport::Variable& v : report.variables) {
      swell::v1::ActualVariable* a = msg.mutable_actual()->add_actual();
      a->set_name(v.name);
      *a->mutable_value() = v.value;
    }
    if (absl::Status s = it->second->messages().Handle(msg); !s.ok()) return s;
  }
  it->second->last_contact = now;
  tracker_->Heard(host, now);
  if (report.generation <= 0) return absl::OkStatus();
  // Enacting generation N is an apply result for each variable reported.
  for (const PullReport::Variable& v : report.variables) {
    swell::v1::AgentMessage result;
    swell::v1::ApplyResult* r = result.mutable_apply_result();
    r->set_variable(v.name);
    r->set_generation(report.generation);
    r->set_ok(v.error.empty());
    *r->mutable_actual() = v.value;
    r->set_message(v.error);
    if (absl::Status s = it->second->messages().Handle(result); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

AgentMessageTargets PullHosts::TargetsFor(Session* session) {
  return AgentMessageTargets{
      .tracker = tracker_,
      .health = health_,
      .clock = clock_,
      .health_reports = &counters_->health_reports,
      .samples_refused = &counters_->samples_refused,
      .admit =
          [this, session](const swell::v1::Hello& h) {
            return sessions_->Register(h.host_id(), session);
          },
      .connected =
          [this](const swell::v1::Hello& h) {
            spdlog::info("pull host {} reported (first since its lease)",
                         h.host_id());
            events_.hello(h);
          },
      .wake = [this] { events_.wake(); },
  };
}

absl::Status PullHosts::Health(const std::string& host,
                               const swell::v1::HealthReport& report) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = hosts_.find(host);
  if (it == hosts_.end() || !it->second->ended().ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("host ", host, " has no pull session: PUT /v1/hosts/",
                     host, "/actual first (and again after ",
                     absl::FormatDuration(options_.lease), " of silence)"));
  }
  swell::v1::AgentMessage msg;
  *msg.mutable_health() = report;
  if (absl::Status s = it->second->messages().Handle(msg); !s.ok()) return s;
  it->second->last_contact = clock_->Now();
  return absl::OkStatus();
}

void PullHosts::Heard(const std::string& host) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = hosts_.find(host);
  if (it == hosts_.end()) return;
  const absl::Time now = clock_->Now();
  it->second->last_contact = now;
  tracker_->Heard(host, now);
}

void PullHosts::ExpireSilent() {
  std::lock_guard<std::mutex> lock(mu_);
  const absl::Time now = clock_->Now();
  for (auto it = hosts_.begin(); it != hosts_.end();) {
    const std::string host = (it++)->first;
    const Session& s = *hosts_[host];
    if (now - s.last_contact > options_.lease || !s.ended().ok()) {
      spdlog::info("pull host {} disconnected ({})", host,
                   s.ended().ok() ? "silent for longer than its lease"
                                  : std::string(s.ended().message()));
      EndLocked(host);
    }
  }
}

int PullHosts::ConnectedCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(hosts_.size());
}

void PullHosts::EndLocked(const std::string& host) {
  auto it = hosts_.find(host);
  if (it == hosts_.end()) return;
  sessions_->Unregister(host, it->second.get());
  tracker_->Disconnected(host, clock_->Now());
  hosts_.erase(it);
  if (events_.gone) events_.gone(host);
  events_.wake();
}

void PullHosts::SweepLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    stop_cv_.wait_for(lock, absl::ToChronoMilliseconds(options_.sweep));
    if (stop_) break;
    lock.unlock();
    ExpireSilent();
    lock.lock();
  }
}

}  // namespace swell::controller
