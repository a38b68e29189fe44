#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "controller/fleet_snapshots.h"
#include "controller/gate/health_window.h"
#include "controller/gate/promql.h"
#include "controller/plan/policy.h"
#include "controller/reconciler_stats.h"
#include "controller/rollout/agent_links.h"
#include "controller/rollout/agent_observations.h"
#include "controller/rollout/agent_snapshot.h"
#include "controller/rollout/decide.h"
#include "controller/rollout/fleet.h"
#include "controller/rollout/reconnect_window.h"
#include "controller/store/store.h"
#include "swell/v1/agent.pb.h"

namespace swell::controller {

// The one loop that owns every decision (DESIGN "controller threads"). It
// wakes on events (a hello, an agent's result, an API call) and on a short
// tick; gathers what the tick needs and decides with one pure function over
// its in-memory model (Decide); persists the decision in one transaction;
// then pushes new desired states and answers. A crash between commit and
// push is repaired by the resend on reconnect.
class Reconciler {
 public:
  struct Options {
    absl::Duration tick = absl::Milliseconds(200);
    absl::Duration agent_grace = absl::Seconds(30);
    // Policies stored plans may name; must outlive the reconciler.
    const PolicySet* policies = nullptr;
    // The newest answers to PromQL gates' queries (must outlive the
    // reconciler; null: PromQL gates never get an answer), and where each
    // tick hands the queries it wants asked (see PromqlTargetsFor).
    const PromqlReadings* promql_readings = nullptr;
    std::function<void(std::vector<PromqlTarget>)> promql_targets;
    // Agents' reconnect backoff cap (StepContext::agent_reconnect).
    absl::Duration agent_reconnect = absl::Seconds(5);
    // Where the model is published after each load and each commit that
    // changed it, for reads off this thread; null: not published. Must
    // outlive the reconciler.
    FleetSnapshots* snapshots = nullptr;
    // false: Start() starts no thread, and the caller runs every tick with
    // TickNow() (the seeded simulation drives time and order this way).
    bool run_thread = true;
  };

  struct Command {
    // Decided in the tick (Decide); an error is answered at once and
    // nothing of it is stored.
    CommandDecision decide;
    // Told, on the reconciler thread, whether the decision was committed
    // (or why it was refused, or failed to be); once committed, the model
    // it answers from is published (Options::snapshots). It must not block:
    // the caller answers elsewhere (RolloutServiceImpl's answer queue).
    std::function<void(const absl::Status&)> respond;
  };

  using Stats = ReconcilerStats;

  // Nothing is owned; everything must outlive the reconciler.
  Reconciler(Store* store, const AgentObservations* agents, AgentLinks* links,
             const HealthWindow* health, const common::Clock* clock,
             Options options);
  ~Reconciler();

  // Loads the model and starts the loop. kUnavailable when the database
  // cannot be read.
  [[nodiscard]] absl::Status Start();
  void Stop();

  // Runs one tick on the caller's thread with what the inbox holds. Only
  // with Options::run_thread = false; never concurrently with itself.
  void TickNow();

  // Thread-safe, never block.
  void Post(Command command);
  void OnHello(const swell::v1::Hello& hello);
  // A stream of `host` ended: its last_seen is written (host_lifecycle.h).
  void OnGone(const std::string& host);
  void Wake();

  const Stats& stats() const { return stats_; }

  // What the reconciler judges agents by, for readers off its thread
  // (/metrics): the model it publishes (null: Options::snapshots was), the
  // agents as it hears them, its clock and --agent_grace. Thread-safe.
  const FleetSnapshots* snapshots() const { return options_.snapshots; }
  const AgentObservations& agents() const { return *agents_; }
  const common::Clock& clock() const { return *clock_; }
  absl::Duration agent_grace() const { return options_.agent_grace; }

  // When the database stopped answering the reconciler (a load or a commit
  // failed with kUnavailable), or InfinitePast() while it answers.
  // Thread-safe.
  absl::Time DatabaseDownSince() const;

 private:
  void Run();
  const PolicySet& Policies() const;
  void Tick(std::vector<swell::v1::Hello> hellos, std::vector<std::string> gone,
            std::vector<Command> commands);
  // What Decide needs this tick; takes the commands' decisions.
  TickInput Gather(std::vector<swell::v1::Hello> hellos,
                   std::vector<std::string> gone,
                   std::vector<Command>& commands, absl::Time now);
  bool EnsureLoaded(std::vector<Command>& commands);
  // Notes whether the database answered: `s` is a load's or a commit's.
  void NoteDatabase(const absl::Status& s);
  // Publishes a copy of the model for readers (Options::snapshots).
  void Publish();
  // After a commit of `m`: publishes at once when it holds a decision or a
  // desired state, or answers `commands`; a change of host records alone
  // (hellos, disconnects, last_seen) waits for the next publication, at
  // most kHostsPublishedEvery later (FlushPublication).
  void PublishCommitted(const Mutation& m, bool commands);
  void FlushPublication();
  // Tells the agent links which hosts are revoked, which ends their streams:
  // after a load (`m` null), or after committing `m` when it revoked or
  // unrevoked a host.
  void SyncRevoked(const Mutation* m);

  Store* store_;
  const AgentObservations* agents_;
  AgentLinks* links_;
  const HealthWindow* health_;
  const common::Clock* clock_;
  Options options_;
  Stats stats_;

  // Reconciler thread only.
  Fleet fleet_;
  // What the tick decides on: copies of what agents said, of the health
  // samples its gates read and of the PromQL answers, taken in Gather;
  // nothing writes them while it decides.
  AgentSnapshot agent_snapshot_;
  HealthSnapshot health_snapshot_;
  PromqlReadings promql_snapshot_;
  bool loaded_ = false;
  absl::Time loaded_at_ = absl::InfinitePast();  // see StepContext::started
  // When silence starts to count after the load (StepContext::
  // agents_back_by), moved on once a tick while the fleet is coming back.
  ReconnectWindow reconnect_;
  void NoteReconnects(bool heard_hellos, absl::Time now);
  absl::Time published_at_ = absl::InfinitePast();
  bool publication_pending_ = false;  // host records committed, unpublished
  absl::Time last_load_error_ = absl::InfinitePast();
  // While not loaded: when to try loading again, and the wait after that
  // (doubling to 5 s), so that a database that is away is not hammered.
  absl::Time next_load_ = absl::InfinitePast();
  absl::Duration load_backoff_ = absl::Milliseconds(200);
  // Why the last load (or the commit after it) failed; answered to calls
  // until the next attempt.
  absl::Status load_error_ = absl::UnavailableError("not loaded yet");
  // Commits failed since the last that passed. The model is reloaded at once
  // after the first; after the next ones, with the backoff above, so that a
  // database that loads but refuses every commit is not reloaded in a loop.
  int commits_failed_in_row_ = 0;
  // Hellos and ends of streams heard while the model could not be loaded,
  // applied once it is.
  std::vector<swell::v1::Hello> unapplied_hellos_;
  std::vector<std::string> unapplied_gone_;
  // When the last_seen of connected hosts was last refreshed.
  absl::Time last_seen_refreshed_ = absl::InfinitePast();
  // The revoked hosts the agent links were last told of (host -> reason).
  std::map<std::string, std::string> revoked_;

  std::mutex mu_;  // guards the inbox below
  std::condition_variable cv_;
  std::vector<swell::v1::Hello> hellos_;
  std::vector<std::string> gone_;
  std::vector<Command> commands_;
  bool woken_ = false;
  bool stop_ = false;
  std::thread thread_;
};

// What a call gets while the database is away: kUnavailable (retryable),
// "database unavailable: nothing advances; agents keep their current
// state", then `cause`'s message. Other errors are returned as they are.
absl::Status DatabaseUnavailable(const absl::Status& cause);

}  // namespace swell::controller
