#include "tests/sim/simulated_agent.h"

#include <utility>

namespace swell::sim {
namespace {

// Where messages go while an agent has no link: nowhere, as a real
// agent's sends while it is disconnected.
class Disconnected final : public agent::MessageSink {
 public:
  uint64_t Send(const swell::v1::AgentMessage&) override { return 0; }
  uint64_t Connection() const override { return 0; }
};

}  // namespace

SimulatedAgent::SimulatedAgent(
    std::string host_id, std::map<std::string, swell::v1::Value> start_values,
    HostFaults faults, std::shared_ptr<grpc::ChannelCredentials> credentials,
    double phase, FleetServices services)
    : host_id_(host_id),
      faults_(faults),
      credentials_(std::move(credentials)),
      phase_(phase),
      services_(services),
      host_(std::move(host_id), std::move(start_values), faults,
            services.behaviour, services.counters) {}

SimulatedAgent::~SimulatedAgent() { CloseLink(); }

void SimulatedAgent::Start() {
  OpenLink();
  const AgentBehaviour& b = *services_.behaviour;
  const absl::Time now = absl::Now();
  if (b.health_interval > absl::ZeroDuration()) {
    const absl::Time first = now + phase_ * b.health_interval;
    services_.timers->At(first, [this, first] { HealthTick(first); });
  }
  if (b.resync_interval > absl::ZeroDuration()) {
    const absl::Time first = now + (1 + phase_) * b.resync_interval;
    services_.timers->At(first, [this, first] { ResyncTick(first); });
  }
  if (faults_.flapping) {
    services_.lifecycle->After((1 + phase_) * b.flap_period,
                               [this] { Flap(); });
  }
  if (faults_.crashing) {
    services_.lifecycle->After((1 + phase_) * b.crash_period,
                               [this] { Crash(); });
  }
}

void SimulatedAgent::OpenLink() {
  agent::ControllerLink::Options options = services_.behaviour->link;
  options.credentials = credentials_;
  auto link = std::make_shared<agent::ControllerLink>(
      std::move(options), [this] { return BuildHello(); },
      [this](const swell::v1::DesiredState& s) { OnDesired(s); });
  {
    absl::MutexLock lock(&mu_);
    link_ = link;
  }
  link->Start();
}

void SimulatedAgent::CloseLink() {
  std::shared_ptr<agent::ControllerLink> link;
  {
    absl::MutexLock lock(&mu_);
    link = std::move(link_);
  }
  if (link == nullptr) return;
  link->Stop();  // up to a second: the controller may end the stream first
  absl::MutexLock lock(&mu_);
  old_failed_attempts_ += link->failed_attempts();
  old_dropped_ += link->dropped();
}

// The connection drops and comes back; the agent keeps everything.
void SimulatedAgent::Flap() {
  CloseLink();
  services_.counters->flaps++;
  services_.lifecycle->After(services_.behaviour->flap_downtime, [this] {
    OpenLink();
    services_.lifecycle->After(services_.behaviour->flap_period,
                               [this] { Flap(); });
  });
}

// The process dies, and its state in flight with it (MemoryHost::Restart).
void SimulatedAgent::Crash() {
  {
    absl::MutexLock lock(&mu_);
    ++pass_token_;
    pass_at_ = absl::InfiniteFuture();
  }
  CloseLink();
  services_.counters->crashes++;
  services_.lifecycle->After(services_.behaviour->crash_downtime, [this] {
    {
      absl::MutexLock lock(&mu_);
      ++pass_token_;  // a desired state that arrived while closing
      pass_at_ = absl::InfiniteFuture();
      if (auto due = host_.Restart(absl::Now())) SchedulePass(*due);
    }
    OpenLink();
    services_.lifecycle->After(services_.behaviour->crash_period,
                               [this] { Crash(); });
  });
}

void SimulatedAgent::HealthTick(absl::Time due) {
  {
    absl::MutexLock lock(&mu_);
    host_.SendHealth(Sink());
  }
  const absl::Time next = due + services_.behaviour->health_interval;
  services_.timers->At(next, [this, next] { HealthTick(next); });
}

void SimulatedAgent::ResyncTick(absl::Time due) {
  {
    absl::MutexLock lock(&mu_);
    if (host_.generation() != 0) SchedulePass(absl::Now());
  }
  const absl::Time next = due + services_.behaviour->resync_interval;
  services_.timers->At(next, [this, next] { ResyncTick(next); });
}

bool SimulatedAgent::connected() const {
  absl::MutexLock lock(&mu_);
  return link_ != nullptr && link_->Connection() != 0;
}

uint64_t SimulatedAgent::failed_attempts() const {
  absl::MutexLock lock(&mu_);
  return old_failed_attempts_ + (link_ ? link_->failed_attempts() : 0);
}

uint64_t SimulatedAgent::dropped() const {
  absl::MutexLock lock(&mu_);
  return old_dropped_ + (link_ ? link_->dropped() : 0);
}

int64_t SimulatedAgent::generation() const {
  absl::MutexLock lock(&mu_);
  return host_.generation();
}

std::vector<Arrival> SimulatedAgent::arrivals() const {
  absl::MutexLock lock(&mu_);
  return host_.arrivals();
}

swell::v1::Hello SimulatedAgent::BuildHello() {
  services_.counters->attempts++;
  absl::MutexLock lock(&mu_);
  return host_.Hello();
}

void SimulatedAgent::OnDesired(const swell::v1::DesiredState& state) {
  services_.counters->desired_received++;
  absl::MutexLock lock(&mu_);
  if (auto due = host_.Offer(state, absl::Now())) SchedulePass(*due);
}

void SimulatedAgent::SchedulePass(absl::Time when) {
  if (pass_at_ <= when) return;
  pass_at_ = when;
  const uint64_t token = ++pass_token_;
  services_.timers->At(when, [this, token] { Pass(token); });
}

void SimulatedAgent::Pass(uint64_t token) {
  absl::MutexLock lock(&mu_);
  if (token != pass_token_) return;
  pass_at_ = absl::InfiniteFuture();
  const absl::Time now = absl::Now();
  if (const absl::Time due = host_.PassDue(now); due > now) {
    SchedulePass(due);
    return;
  }
  host_.Pass(Sink());
}

agent::MessageSink* SimulatedAgent::Sink() {
  static Disconnected* const kDisconnected = new Disconnected;
  return link_ != nullptr ? static_cast<agent::MessageSink*>(link_.get())
                          : kDisconnected;
}

}  // namespace swell::sim
