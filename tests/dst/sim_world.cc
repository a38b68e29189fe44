#include "tests/dst/sim_world.h"

#include "absl/strings/str_format.h"
#include "controller/service/agent_messages.h"
#include "tests/dst/crashing_store.h"
#include "tests/dst/sim_operator.h"

namespace swell::dst {

// The controller's end of one agent stream (AgentStream): the real message
// handler, and a sink whose pushes reach the agent after a delay.
class World::Stream final : public controller::DesiredStateSink {
 public:
  Stream(World* world, int agent, uint64_t id)
      : world_(world),
        agent_(agent),
        id_(id),
        handler_(world->node_->Targets([this](const swell::v1::Hello& hello) {
          // The simulation revokes no host: every registration succeeds.
          world_->node_->sessions()
              .Register(hello.host_id(), this)
              .IgnoreError();
        })) {}

  void PushDesired(const swell::v1::DesiredState& state) override {
    if (world_->store_->crashed) return;  // the process is gone
    world_->DeliverDesired(id_, state);
  }
  void End(const absl::Status&) override { Supersede(); }
  void Supersede() override {
    World* world = world_;
    const int agent = agent_;
    const uint64_t id = id_;
    world_->At(world_->Now(), [world, agent, id] {
      if (world->agents_[agent]->stream() == id) world->DropStream(agent);
    });
  }

  int agent() const { return agent_; }
  controller::AgentMessageHandler& handler() { return handler_; }

 private:
  World* world_;
  int agent_;
  uint64_t id_;
  controller::AgentMessageHandler handler_;
};

World::World(SimConfig config, std::ostream* trace)
    : config_(config),
      trace_(trace),
      rng_(config.seed ^ 0x5eed5eed5eed5eedULL),
      start_(clock_.Now()),
      memory_(std::make_unique<controller::MemoryStore>()),
      store_(std::make_unique<CrashingStore>(memory_.get())),
      operator_(std::make_unique<SimOperator>(this)),
      checker_(std::make_unique<InvariantChecker>()) {}

World::~World() {
  node_.reset();
  streams_.clear();
}

void World::At(absl::Time at, std::function<void()> fn) {
  events_.push(Event{std::max(at, Now()), next_seq_++, std::move(fn)});
}

void World::BuildFleet() {
  static const char* const kRoles[] = {"web", "db", "cache"};
  for (int i = 0; i < config_.hosts; ++i) {
    std::map<std::string, std::string> labels{
        {"role", kRoles[Between(rng_, 0, 2)]},
        {"site", absl::StrCat("s", Between(rng_, 0, config_.sites - 1))}};
    if (Chance(rng_, 0.03)) labels["canary"] = "true";
    std::map<std::string, swell::v1::Value> actual;
    for (int v = 0; v < config_.variables; ++v) {
      swell::v1::Value value;
      if (!Chance(rng_, 0.1)) {
        value.set_present(true);
        value.set_data("init");
      }
      actual[absl::StrCat("var", v)] = value;
    }
    agents_.push_back(std::make_unique<SimAgent>(
        this, i, absl::StrFormat("h-%03d", i), std::move(labels),
        Chance(rng_, config_.sick_share), std::move(actual)));
  }
  for (int i = 0; i < static_cast<int>(agents_.size()); ++i) {
    At(Now() + absl::Milliseconds(Between(rng_, 0, 2000)),
       [this, i] { Connect(i); });
    agents_[i]->ScheduleHealth();
  }
}

void World::StartController() {
  node_ = std::make_unique<ControllerNode>(store_.get(), &clock_, &snapshots_);
  if (absl::Status s = node_->Start(); !s.ok()) {
    violation_ = Violation{
        step_, absl::StrCat("the controller cannot start: ", s.ToString())};
  }
}

void World::CrashController(const char* when) {
  Trace("controller crashes ", when, "; restarts from the store");
  node_.reset();  // first: nothing may reach the streams meanwhile
  streams_.clear();
  store_->crashed = false;
  StartController();
  for (auto& a : agents_) {
    if (a->stream() != 0) a->SetStream(0);
  }
}

void World::Connect(int index) {
  SimAgent& agent = *agents_[index];
  const uint64_t id = next_stream_++;
  streams_[id] = std::make_unique<Stream>(this, index, id);
  agent.SetStream(id);
  swell::v1::AgentMessage hello;
  *hello.mutable_hello() = agent.BuildHello();
  Trace(agent.id(), " connects (stream ", id, ", generation ",
        agent.generation(), ")");
  if (absl::Status s = streams_[id]->handler().Handle(hello); !s.ok()) {
    violation_ = Violation{
        step_, absl::StrCat("the sim sent a bad hello: ", s.ToString())};
  }
}

void World::DropStream(int index) {
  SimAgent& agent = *agents_[index];
  auto it = streams_.find(agent.stream());
  if (it != streams_.end()) {
    Trace(agent.id(), "'s stream ", it->first, " ends");
    node_->StreamEnded(agent.id(), it->second.get());
    streams_.erase(it);
  }
  agent.SetStream(0);
}

void World::Send(int index, swell::v1::AgentMessage msg) {
  const uint64_t stream = agents_[index]->stream();
  if (stream == 0) return;  // dropped while disconnected, as the agent does
  const int copies = Chance(rng_, config_.faults.duplicate) ? 2 : 1;
  for (int i = 0; i < copies; ++i) {
    absl::Duration delay = absl::Milliseconds(
        Between(rng_, 0, absl::ToInt64Milliseconds(config_.faults.max_delay)));
    At(Now() + delay, [this, stream, msg] {
      auto it = streams_.find(stream);
      if (it == streams_.end()) return;  // lost with its stream
      if (absl::Status s = it->second->handler().Handle(msg); !s.ok()) {
        violation_ = Violation{
            step_,
            absl::StrCat("the controller refused a message: ", s.ToString())};
      }
    });
  }
}

void World::DeliverDesired(uint64_t stream,
                           const swell::v1::DesiredState& state) {
  auto it = streams_.find(stream);
  if (it == streams_.end()) return;
  SimAgent& agent = *agents_[it->second->agent()];
  if (auto e = checker_->OnPush(agent.id(), state)) {
    if (!violation_) violation_ = Violation{step_, *e};
  }
  absl::Duration delay = absl::Milliseconds(
      Between(rng_, 0, absl::ToInt64Milliseconds(config_.faults.max_delay)));
  absl::Time at = std::max(Now() + delay, agent.silent_until());
  const int copies = Chance(rng_, config_.faults.duplicate) ? 2 : 1;
  for (int i = 0; i < copies; ++i) {
    At(at + i * delay,
       [&agent, stream, state] { agent.OnDesired(stream, state); });
  }
}

void World::OnAgentReceived(int index, const swell::v1::DesiredState& state) {
  Trace(agents_[index]->id(), " holds generation ", state.generation());
}

void World::Post(controller::Reconciler::Command command) {
  node_->reconciler().Post(std::move(command));
}

std::shared_ptr<const controller::Fleet> World::Latest() const {
  return snapshots_.Latest().fleet;
}

}  // namespace swell::dst
