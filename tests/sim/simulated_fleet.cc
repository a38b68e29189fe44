#include "tests/sim/simulated_fleet.h"

#include <algorithm>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace swell::sim {
namespace {

// Threads for link starts and stops: a stop may wait a second for the
// controller to end the stream, so flaps and crashes need several.
constexpr int kLifecycleThreads = 8;
// Links closed at once when the fleet stops.
constexpr size_t kClosingThreads = 64;

}  // namespace

std::string SimulatedFleet::HostId(const std::string& prefix, int index) {
  return absl::StrCat(prefix, index);
}

SimulatedFleet::SimulatedFleet(FleetOptions options)
    : options_(std::move(options)), timers_(1), lifecycle_(kLifecycleThreads) {}

absl::StatusOr<std::unique_ptr<SimulatedFleet>> SimulatedFleet::Create(
    FleetOptions options, const CredentialsFor& credentials_for) {
  std::unique_ptr<SimulatedFleet> fleet(new SimulatedFleet(std::move(options)));
  const FleetOptions& o = fleet->options_;
  FleetServices services{&o.behaviour, &fleet->timers_, &fleet->lifecycle_,
                         &fleet->counters_};
  fleet->agents_.reserve(static_cast<size_t>(o.hosts));
  for (int i = o.first; i < o.first + o.hosts; ++i) {
    std::string id = HostId(o.prefix, i);
    absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
        credentials_for(id);
    if (!credentials.ok()) return credentials.status();
    HostFaults faults = FaultsFor(o.seed, id, o.faults);
    const double phase = HostUniform01(o.seed, id, "phase");
    fleet->agents_.push_back(std::make_unique<SimulatedAgent>(
        std::move(id), o.start_values, faults, *std::move(credentials), phase,
        services));
  }
  return fleet;
}

SimulatedFleet::~SimulatedFleet() { Stop(); }

void SimulatedFleet::Start() {
  const absl::Time t0 = absl::Now();
  for (size_t i = 0; i < agents_.size(); ++i) {
    SimulatedAgent* agent = agents_[i].get();
    auto start = [this, agent] {
      agent->Start();
      started_++;
    };
    if (options_.start_rate <= 0) {
      start();
    } else {
      lifecycle_.At(
          t0 + absl::Seconds(static_cast<double>(i) / options_.start_rate),
          start);
    }
  }
}

void SimulatedFleet::Stop() {
  if (stopped_.exchange(true)) return;
  timers_.Stop();
  lifecycle_.Stop();
  // Each agent's destructor closes its link.
  std::atomic<size_t> next{0};
  std::vector<std::thread> closers;
  for (size_t t = 0; t < std::min(kClosingThreads, agents_.size()); ++t) {
    closers.emplace_back([this, &next] {
      for (size_t i = next++; i < agents_.size(); i = next++) {
        agents_[i].reset();
      }
    });
  }
  for (std::thread& t : closers) t.join();
}

FleetSnapshot SimulatedFleet::Snapshot() const {
  FleetSnapshot s;
  s.unix_ms = absl::ToUnixMillis(absl::Now());
  s.hosts = static_cast<int>(agents_.size());
  s.started = started_.load();
  s.attempts = counters_.attempts.load();
  s.desired_received = counters_.desired_received.load();
  s.health_reports = counters_.health_reports.load();
  s.apply_results = counters_.apply_results.load();
  s.applies_ok = counters_.applies_ok.load();
  s.applies_failed = counters_.applies_failed.load();
  s.flaps = counters_.flaps.load();
  s.crashes = counters_.crashes.load();
  s.first_unhealthy_ms = counters_.first_unhealthy_ms.load();
  for (const auto& [name, has] : FaultsByName(HostFaults{})) {
    s.faulty[std::string(name)] = 0;
  }
  if (stopped_.load()) return s;
  for (const auto& agent : agents_) {
    s.connected += agent->connected();
    s.failed_attempts += agent->failed_attempts();
    s.dropped += agent->dropped();
    for (const auto& [name, has] : FaultsByName(agent->faults())) {
      s.faulty[std::string(name)] += has;
    }
  }
  return s;
}

std::vector<ArrivalRow> SimulatedFleet::Arrivals() const {
  std::vector<ArrivalRow> rows;
  if (stopped_.load()) return rows;
  for (const auto& agent : agents_) {
    for (const Arrival& a : agent->arrivals()) {
      rows.push_back({agent->host_id(), a});
    }
  }
  return rows;
}

}  // namespace swell::sim
