#include "controller/reconciler.h"

#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "controller/rollout/gate_input.h"
#include "controller/rollout/host_lifecycle.h"
#include "controller/rollout/host_revocation.h"
#include "controller/rollout/promql_targets.h"
#include "spdlog/spdlog.h"

namespace swell::controller {
namespace {

constexpr absl::string_view kDatabaseUnavailable =
    "database unavailable: nothing advances; agents keep their current state";
constexpr absl::Duration kMaxLoadBackoff = absl::Seconds(5);

template <typename T>
void MoveAppend(std::vector<T>& from, std::vector<T>* into) {
  for (auto& x : from) into->push_back(std::move(x));
}

}  // namespace

absl::Status DatabaseUnavailable(const absl::Status& cause) {
  if (!absl::IsUnavailable(cause)) return cause;
  if (absl::StartsWith(cause.message(), kDatabaseUnavailable)) return cause;
  return absl::UnavailableError(
      absl::StrCat(kDatabaseUnavailable, " (", cause.message(), ")"));
}

Reconciler::Reconciler(Store* store, const AgentObservations* agents,
                       AgentLinks* links, const HealthWindow* health,
                       const common::Clock* clock, Options options)
    : store_(store),
      agents_(agents),
      links_(links),
      health_(health),
      clock_(clock),
      options_(options) {}

Reconciler::~Reconciler() { Stop(); }

const PolicySet& Reconciler::Policies() const {
  static const PolicySet* const kNone = new PolicySet();
  return options_.policies != nullptr ? *options_.policies : *kNone;
}

absl::Status Reconciler::Start() {
  auto state = store_->Load();
  if (!state.ok()) return state.status();
  auto fleet = BuildFleet(*std::move(state), Policies());
  if (!fleet.ok()) return fleet.status();
  fleet_ = *std::move(fleet);
  loaded_ = true;
  loaded_at_ = clock_->Now();
  reconnect_.Open(loaded_at_, options_.agent_reconnect, options_.agent_grace);
  Publish();
  SyncRevoked(nullptr);
  int active = 0;
  for (const auto& [id, rec] : fleet_.rollouts) active += IsActive(rec.rollout);
  spdlog::info("loaded {} hosts, {} rollouts ({} active){}",
               fleet_.hosts.size(), fleet_.rollouts.size(), active,
               fleet_.freeze.active ? "; the fleet is FROZEN" : "");
  if (options_.run_thread) thread_ = std::thread([this] { Run(); });
  return absl::OkStatus();
}

void Reconciler::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return;
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Reconciler::Post(Command command) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    commands_.push_back(std::move(command));
  }
  cv_.notify_one();
}

void Reconciler::OnHello(const swell::v1::Hello& hello) {
  swell::v1::Hello copy;
  copy.set_host_id(hello.host_id());
  *copy.mutable_labels() = hello.labels();
  copy.set_agent_version(hello.agent_version());
  {
    std::lock_guard<std::mutex> lock(mu_);
    hellos_.push_back(std::move(copy));
  }
  cv_.notify_one();
}

void Reconciler::OnGone(const std::string& host) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    gone_.push_back(host);
  }
  cv_.notify_one();
}

void Reconciler::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    woken_ = true;
  }
  cv_.notify_one();
}

void Reconciler::TickNow() {
  std::vector<swell::v1::Hello> hellos;
  std::vector<std::string> gone;
  std::vector<Command> commands;
  {
    std::lock_guard<std::mutex> lock(mu_);
    hellos.swap(hellos_);
    gone.swap(gone_);
    commands.swap(commands_);
    woken_ = false;
  }
  Tick(std::move(hellos), std::move(gone), std::move(commands));
}

void Reconciler::Run() {
  auto next_tick = absl::Now() + options_.tick;
  while (true) {
    std::vector<swell::v1::Hello> hellos;
    std::vector<std::string> gone;
    std::vector<Command> commands;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_until(lock, absl::ToChronoTime(next_tick), [&] {
        return stop_ || woken_ || !hellos_.empty() || !gone_.empty() ||
               !commands_.empty();
      });
      if (stop_) break;
      hellos.swap(hellos_);
      gone.swap(gone_);
      commands.swap(commands_);
      woken_ = false;
    }
    if (absl::Now() >= next_tick) next_tick = absl::Now() + options_.tick;
    Tick(std::move(hellos), std::move(gone), std::move(commands));
  }
  // Answer whatever is still queued so no RPC hangs.
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& c : commands_) {
    c.respond(absl::UnavailableError("the controller is shutting down"));
  }
}

void Reconciler::SyncRevoked(const Mutation* m) {
  if (m != nullptr) {
    bool changed = false;
    for (const Host& h : m->hosts) {
      auto was = revoked_.find(h.id);
      const bool revoked = h.revoked_at != absl::InfinitePast();
      changed |= revoked != (was != revoked_.end()) ||
                 (revoked && was->second != h.revoke_reason);
    }
    if (!changed) return;
  }
  revoked_ = RevokedHosts(fleet_.hosts);
  links_->SetRevoked(revoked_);
}

void Reconciler::Publish() {
  publication_pending_ = false;
  published_at_ = clock_->Now();
  if (options_.snapshots == nullptr) return;
  options_.snapshots->Publish(std::make_shared<const Fleet>(fleet_),
                              published_at_);
}

namespace {

// Host records alone change in every tick of a reconnect storm, and a copy
// of the whole model for each cost 15 % of the controller's CPU while 2,000
// agents connected. Readers see them this much later at most.
constexpr absl::Duration kHostsPublishedEvery = absl::Seconds(1);

bool HostRecordsOnly(const Mutation& m) {
  return m.rollouts.empty() && m.rollout_hosts.empty() && m.desired.empty() &&
         m.desired_removed.empty() && m.verdicts.empty() && m.audit.empty() &&
         !m.freeze.has_value();
}

}  // namespace

void Reconciler::PublishCommitted(const Mutation& m, bool commands) {
  if (commands || !HostRecordsOnly(m) ||
      clock_->Now() - published_at_ >= kHostsPublishedEvery) {
    Publish();
  } else {
    publication_pending_ = true;
  }
}

void Reconciler::NoteReconnects(bool heard_hellos, absl::Time now) {
  reconnect_.Note(now, heard_hellos,
                  reconnect_.NeedsCount() ? CountWatchedAgents(fleet_, *agents_)
                                          : WatchedAgents{});
  stats_.agents_back_by_ms = absl::ToUnixMillis(reconnect_.back_by());
}

void Reconciler::FlushPublication() {
  if (publication_pending_ &&
      clock_->Now() - published_at_ >= kHostsPublishedEvery) {
    Publish();
  }
}

absl::Time Reconciler::DatabaseDownSince() const {
  const int64_t ms = stats_.database_down_since_ms.load();
  return ms == 0 ? absl::InfinitePast() : absl::FromUnixMillis(ms);
}

void Reconciler::NoteDatabase(const absl::Status& s) {
  if (s.ok()) {
    if (stats_.database_down_since_ms.exchange(0) != 0) {
      spdlog::info("the database answers again");
    }
  } else if (absl::IsUnavailable(s)) {
    int64_t expected = 0;
    if (stats_.database_down_since_ms.compare_exchange_strong(
            expected, absl::ToUnixMillis(clock_->Now()))) {
      spdlog::error(
          "the database is unavailable ({}): nothing advances until it is "
          "back; agents keep their current state",
          s.ToString());
    }
  }
}

bool Reconciler::EnsureLoaded(std::vector<Command>& commands) {
  if (loaded_) return true;
  // Between attempts (backoff), calls get the last attempt's error.
  absl::StatusOr<Fleet> fleet = load_error_;
  if (clock_->Now() >= next_load_) {
    auto state = store_->Load();
    fleet =
        state.ok() ? BuildFleet(*std::move(state), Policies()) : state.status();
    NoteDatabase(state.status());
    if (!state.ok()) stats_.load_failures++;
    if (!fleet.ok()) {
      load_error_ = fleet.status();
      next_load_ = clock_->Now() + load_backoff_;
      load_backoff_ = std::min(load_backoff_ * 2, kMaxLoadBackoff);
      if (clock_->Now() - last_load_error_ > absl::Seconds(10)) {
        spdlog::error("cannot reload from the database: {}",
                      fleet.status().ToString());
        last_load_error_ = clock_->Now();
      }
    }
  }
  if (!fleet.ok()) {
    for (auto& c : commands) {
      c.respond(DatabaseUnavailable(fleet.status()));
    }
    return false;
  }
  next_load_ = absl::InfinitePast();
  if (commits_failed_in_row_ == 0) load_backoff_ = absl::Milliseconds(200);
  fleet_ = *std::move(fleet);
  loaded_ = true;
  loaded_at_ = clock_->Now();
  reconnect_.Open(loaded_at_, options_.agent_reconnect, options_.agent_grace);
  Publish();
  SyncRevoked(nullptr);
  spdlog::info("reloaded the model from the database");
  for (const auto& [id, host] : fleet_.hosts) {
    links_->Push(id, DesiredStateFor(fleet_, id));
  }
  return true;
}

TickInput Reconciler::Gather(std::vector<swell::v1::Hello> hellos,
                             std::vector<std::string> gone,
                             std::vector<Command>& commands, absl::Time now) {
  NoteReconnects(!hellos.empty(), now);
  TickInput in;
  in.now = now;
  in.hellos = std::move(hellos);
  in.gone = std::move(gone);
  for (auto& c : commands) in.commands.push_back(std::move(c.decide));
  if (now - last_seen_refreshed_ >= absl::Minutes(1)) {
    last_seen_refreshed_ = now;
    in.refresh_last_seen = true;
  }
  // Decide reads values that no agent stream writes while it runs.
  agents_->CopyChanges(&agent_snapshot_);
  in.agents = &agent_snapshot_;
  health_->CopyChanges(GatedMetrics(fleet_), &health_snapshot_);
  in.health = &health_snapshot_;
  if (options_.promql_readings != nullptr) {
    promql_snapshot_ = *options_.promql_readings;
    in.promql = &promql_snapshot_;
  }
  in.agent_grace = options_.agent_grace;
  in.agent_reconnect = options_.agent_reconnect;
  in.started = loaded_at_;
  in.agents_back_by = reconnect_.back_by();
  return in;
}

void Reconciler::Tick(std::vector<swell::v1::Hello> hellos,
                      std::vector<std::string> gone,
                      std::vector<Command> commands) {
  common::DurationHistogram::Timer tick_timer(&stats_.tick_duration);
  stats_.ticks++;
  if (!loaded_) {
    // Kept until the model is loaded again: a host heard meanwhile is
    // recorded then.
    MoveAppend(hellos, &unapplied_hellos_);
    MoveAppend(gone, &unapplied_gone_);
    if (!EnsureLoaded(commands)) return;
    hellos.swap(unapplied_hellos_);
    gone.swap(unapplied_gone_);
    unapplied_hellos_.clear();
    unapplied_gone_.clear();
  }
  const absl::Time now = clock_->Now();
  TickInput in = Gather(std::move(hellos), std::move(gone), commands, now);
  TickOutput out = Decide(std::move(fleet_), in);
  fleet_ = std::move(out.fleet);
  Mutation& m = out.mutation;
  stats_.active_rollouts = out.active_rollouts;
  stats_.frozen = fleet_.freeze.active;
  std::vector<Command> decided;
  for (size_t i = 0; i < commands.size(); ++i) {
    if (out.commands[i].ok()) {
      decided.push_back(std::move(commands[i]));
    } else {
      commands[i].respond(out.commands[i]);
    }
  }

  absl::Status committed = absl::OkStatus();
  if (!m.empty()) {
    {
      common::DurationHistogram::Timer commit_timer(&stats_.commit_duration);
      committed = store_->Commit(m);
    }
    NoteDatabase(committed);
    if (committed.ok()) {
      stats_.commits++;
      commits_failed_in_row_ = 0;
      load_backoff_ = absl::Milliseconds(200);
      for (const VerdictRecord& v : m.verdicts) {
        stats_.gate_verdicts.Add(v.verdict, v.dry_run);
      }
      // Before any answer: a caller then reads its own change.
      PublishCommitted(m, !decided.empty());
      SyncRevoked(&m);  // a revoked host's stream ends before the answer
    } else {
      stats_.commit_failures++;
      spdlog::error("commit failed, reloading from the database: {}",
                    committed.ToString());
      loaded_ = false;  // the in-memory model ran ahead of the database
      if (++commits_failed_in_row_ > 1) {
        load_error_ = committed;
        next_load_ = clock_->Now() + load_backoff_;
        load_backoff_ = std::min(load_backoff_ * 2, kMaxLoadBackoff);
      }
      // What the agents said this tick is applied again after the reload.
      unapplied_hellos_ = std::move(in.hellos);
      unapplied_gone_ = std::move(in.gone);
    }
  }
  if (committed.ok()) {
    for (const auto& host : out.push) {
      if (links_->Push(host, DesiredStateFor(fleet_, host))) stats_.pushes++;
    }
  }
  // Answers are built from the published model: host records committed
  // earlier but not yet published are published before them.
  if (committed.ok() && !decided.empty() && publication_pending_) Publish();
  if (committed.ok()) FlushPublication();
  for (auto& c : decided) c.respond(DatabaseUnavailable(committed));
  if (options_.promql_targets)
    options_.promql_targets(PromqlTargetsFor(fleet_));
}

}  // namespace swell::controller
