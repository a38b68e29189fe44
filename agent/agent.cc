#include "agent/agent.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "agent/appliers/command_applier.h"
#include "agent/appliers/docker_applier.h"
#include "agent/appliers/file_applier.h"
#include "agent/appliers/guarded_applier.h"
#include "agent/appliers/package_applier.h"
#include "agent/atomic_file.h"
#include "agent/collectors/collector_spec.h"
#include "agent/desired_state_file.h"
#include "agent/docker/docker_health.h"
#include "prometheus/exposer.h"
#include "spdlog/spdlog.h"

namespace swell::agent {
namespace {

// How long a sample may go unreported before /metrics drops it: well past
// the longest gap between two runs of one check or collector, which run one
// after another on one thread, each bounded by its timeout.
absl::Duration StaleAfter(const AgentConfig& config) {
  absl::Duration longest = config.check_interval;
  absl::Duration timeouts;
  for (const CheckSpec& c : config.checks) {
    longest = std::max(longest, c.interval);
    timeouts += c.timeout;
  }
  for (const CollectorSpec& c : config.collectors) {
    longest = std::max(longest, c.interval);
    timeouts += c.timeout;
  }
  return 2 * longest + timeouts + absl::Seconds(30);
}

}  // namespace

Agent::Agent(AgentConfig config,
             std::shared_ptr<grpc::ChannelCredentials> credentials)
    : config_(std::move(config)), credentials_(std::move(credentials)) {}

Agent::~Agent() { Stop(); }

std::string Agent::desired_state_path() const {
  return absl::StrCat(config_.state_dir, "/desired.pb");
}

std::string Agent::journal_path() const {
  return absl::StrCat(config_.state_dir, "/journal.log");
}

absl::Status Agent::Start() {
  if (started_) return absl::FailedPreconditionError("agent already started");
  if (absl::Status s = MakeDirs(config_.state_dir); !s.ok()) return s;
  absl::StatusOr<std::unique_ptr<Journal>> journal =
      Journal::Open(journal_path());
  if (!journal.ok()) return journal.status();
  journal_ = *std::move(journal);

  const std::map<std::string, std::string> env = {
      {"SWELL_ROOT", config_.root}, {"SWELL_HOST_ID", config_.host_id}};
  // The Docker engine's samples follow the desired state's docker variables;
  // the enforcer exists before any sample is collected.
  auto docker_health = std::make_shared<DockerHealth>(
      config_.state_dir,
      std::make_shared<DockerProbe>(
          env, config_.root == "/" ? "/proc" : config_.root + "/proc"),
      [this] { return enforcer_->Current(); });
  ApplierSet appliers;
  appliers[swell::v1::VARIABLE_KIND_FILE] =
      std::make_shared<FileApplier>(config_.root, env, config_.command_timeout);
  appliers[swell::v1::VARIABLE_KIND_PACKAGE] =
      std::make_shared<PackageApplier>(env);
  appliers[swell::v1::VARIABLE_KIND_DOCKER] =
      std::make_shared<DockerApplier>(env, docker_health);
  appliers[swell::v1::VARIABLE_KIND_COMMAND] =
      std::make_shared<CommandApplier>(env);
  // Every applier sits behind the host's guardrails: nothing outside them
  // is read or enacted.
  for (auto& [kind, applier] : appliers) {
    applier = std::make_shared<GuardedApplier>(std::move(applier),
                                               config_.guardrails);
  }

  ControllerLink::Options link_options;
  link_options.addresses = config_.controllers;
  link_options.credentials = credentials_;
  link_options.backoff_initial = config_.backoff_initial;
  link_options.backoff_max = config_.backoff_max;
  link_ = std::make_unique<ControllerLink>(
      link_options, [this] { return BuildHello(); },
      [this](const swell::v1::DesiredState& s) { OnDesired(s); });
  // Every check runs right after an apply result goes out (checks_ exists
  // before the enforcer starts).
  enforcer_ = std::make_unique<Enforcer>(std::move(appliers), journal_.get(),
                                         link_.get(), config_.resync_interval,
                                         [this] { checks_->RunAllNow(); });
  std::vector<ScheduledSource> sources{{docker_health, config_.check_interval}};
  for (const CollectorSpec& c : config_.collectors) {
    sources.push_back({MakeCollector(c, env), c.interval});
  }
  AgentMetrics::Options metrics_options;
  metrics_options.host_id = config_.host_id;
  metrics_options.stale_after = StaleAfter(config_);
  metrics_options.generation = [this] { return generation(); };
  metrics_options.connected = [this] { return connection() != 0; };
  metrics_options.failed_attempts = [this] { return link_->failed_attempts(); };
  metrics_ = std::make_shared<AgentMetrics>(std::move(metrics_options));
  checks_ = std::make_unique<CheckScheduler>(
      config_.checks, env,
      [this](std::vector<swell::v1::Sample> samples) {
        metrics_->Record(samples);
        swell::v1::AgentMessage message;
        for (swell::v1::Sample& s : samples) {
          *message.mutable_health()->add_samples() = std::move(s);
        }
        link_->Send(message);  // dropped while disconnected
      },
      std::move(sources));

  absl::StatusOr<swell::v1::DesiredState> saved =
      LoadDesiredState(desired_state_path());
  if (saved.ok()) {
    spdlog::info("enforcing saved desired state, generation {} ({} variables)",
                 saved->generation(), saved->variables_size());
    enforcer_->Offer(*std::move(saved));
  } else if (!absl::IsNotFound(saved.status())) {
    // Unreadable: start empty and let the controller send it again.
    spdlog::error("ignoring saved desired state: {}",
                  std::string(saved.status().message()));
  }

  if (!config_.metrics_listen.empty()) {
    absl::StatusOr<std::unique_ptr<prometheus::Exposer>> exposer =
        ServeMetrics(config_.metrics_listen, metrics_);
    if (!exposer.ok()) return exposer.status();
    exposer_ = *std::move(exposer);
    spdlog::info("metrics on http://{}/metrics", config_.metrics_listen);
  }

  started_ = true;
  enforcer_->Start();
  link_->Start();
  checks_->Start();
  return absl::OkStatus();
}

void Agent::Stop() {
  if (!started_) return;
  started_ = false;
  exposer_.reset();
  checks_->Stop();
  // The link stays up meanwhile, so the apply's result is still reported.
  enforcer_->Stop(config_.stop_grace);
  link_->Stop();
}

int64_t Agent::generation() const {
  if (enforcer_ == nullptr) return 0;
  auto state = enforcer_->Current();
  return state == nullptr ? 0 : state->generation();
}

uint64_t Agent::passes() const {
  return enforcer_ == nullptr ? 0 : enforcer_->passes();
}

uint64_t Agent::connection() const {
  return link_ == nullptr ? 0 : link_->Connection();
}

swell::v1::Hello Agent::BuildHello() const {
  swell::v1::Hello hello;
  hello.set_host_id(config_.host_id);
  hello.mutable_labels()->insert(config_.labels.begin(), config_.labels.end());
  hello.set_agent_version(kAgentVersion);
  for (swell::v1::ActualVariable& a : enforcer_->ReadActuals()) {
    *hello.add_actual() = std::move(a);
  }
  hello.set_last_generation(generation());
  return hello;
}

void Agent::OnDesired(const swell::v1::DesiredState& state) {
  if (!state.host_id().empty() && state.host_id() != config_.host_id) {
    spdlog::error("ignoring desired state for host '{}': this is '{}'",
                  state.host_id(), config_.host_id);
    return;
  }
  if (state.generation() < generation()) {
    spdlog::info("ignoring desired state generation {}: holding {}",
                 state.generation(), generation());
    return;
  }
  // Persist first: after a crash the agent must enforce what it was told.
  if (absl::Status s = SaveDesiredState(desired_state_path(), state); !s.ok()) {
    spdlog::error("cannot save desired state generation {}: {}",
                  state.generation(), std::string(s.message()));
  }
  if (state.generation() != generation()) {
    spdlog::info("desired state generation {} ({} variables)",
                 state.generation(), state.variables_size());
  }
  enforcer_->Offer(state);
}

}  // namespace swell::agent
