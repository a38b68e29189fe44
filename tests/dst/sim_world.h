#pragma once

// The simulated world of one seed: a simulated clock, the real controller
// (ControllerNode over a MemoryStore), hundreds of SimAgents, an event queue
// that delivers messages late, twice or out of order, the faults, and the
// operator. Single-threaded and driven by one std::mt19937_64: the same
// seed replays the same run, step for step.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <queue>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "controller/fleet_snapshots.h"
#include "controller/store/memory_store.h"
#include "tests/dst/controller_node.h"
#include "tests/dst/invariants.h"
#include "tests/dst/sim_agent.h"
#include "tests/dst/sim_config.h"
#include "tests/fakes/fake_clock.h"

namespace swell::dst {

// A value whose data ends so makes sick-prone hosts report `up` = 0.
inline constexpr char kBadSuffix[] = "-bad";

class SimOperator;
class CrashingStore;

struct Violation {
  int step = 0;
  std::string what;  // "invariant N (...): ..."
};

class World {
 public:
  // `trace`: where each step is narrated; null: silent.
  World(SimConfig config, std::ostream* trace);
  ~World();

  // Runs the seed to the end; the first invariant violated, if any.
  std::optional<Violation> Run();

  // For agents and the operator.
  absl::Time Now() const { return clock_.Now(); }
  std::mt19937_64& rng() { return rng_; }
  const FaultRates& faults() const { return config_.faults; }
  const SimConfig& config() const { return config_; }
  bool calm() const { return calm_; }  // the fault phase is over
  void At(absl::Time at, std::function<void()> fn);
  // Sends `msg` from agent `index` on its current stream, with a delay
  // (and now and then twice); lost if the stream ends first.
  void Send(int index, swell::v1::AgentMessage msg);
  // Opens a stream for agent `index` and sends its hello.
  void Connect(int index);
  // Ends agent `index`'s stream on both sides.
  void DropStream(int index);
  // Agent `index` accepted a desired state (for invariant 6).
  void OnAgentReceived(int index, const swell::v1::DesiredState& state);
  // Posts an operator command to the running controller; lost if it
  // crashes before its tick.
  void Post(controller::Reconciler::Command command);
  // The newest published model; null before the first load.
  std::shared_ptr<const controller::Fleet> Latest() const;
  controller::AgentTracker& tracker() { return node_->tracker(); }
  // Operator commands of the coming tick that resume `id`.
  void NoteResume(const std::string& id) { facts_.resumed.insert(id); }

  template <typename... Args>
  void Trace(const Args&... args) {
    if (trace_ != nullptr) {
      *trace_ << "[" << step_ << " t+" << absl::FormatDuration(Now() - start_)
              << "] " << absl::StrCat(args...) << "\n";
    }
  }

 private:
  class Stream;
  struct Event {
    absl::Time at;
    uint64_t seq;
    std::function<void()> fn;
    bool operator>(const Event& o) const {
      return at != o.at ? at > o.at : seq > o.seq;
    }
  };

  void BuildFleet();
  void StartController();
  void CrashController(const char* when);
  void RunEventsUntil(absl::Time until);
  void InjectFaults();
  void EndFaults();
  std::optional<Violation> Step();
  void DeliverDesired(uint64_t stream, const swell::v1::DesiredState& state);
  bool AllTerminal() const;

  SimConfig config_;
  std::ostream* trace_;
  std::mt19937_64 rng_;
  testing::FakeClock clock_;
  absl::Time start_;
  std::unique_ptr<controller::MemoryStore> memory_;
  std::unique_ptr<CrashingStore> store_;
  controller::FleetSnapshots snapshots_;
  std::unique_ptr<ControllerNode> node_;
  std::map<uint64_t, std::unique_ptr<Stream>> streams_;
  uint64_t next_stream_ = 1;
  std::vector<std::unique_ptr<SimAgent>> agents_;
  std::unique_ptr<SimOperator> operator_;
  std::unique_ptr<InvariantChecker> checker_;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;
  uint64_t next_seq_ = 0;
  int step_ = 0;
  bool calm_ = false;
  StepFacts facts_;
  std::optional<Violation> violation_;  // found outside a step's check
};

}  // namespace swell::dst
