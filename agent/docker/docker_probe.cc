#include "agent/docker/docker_probe.h"

#include <dirent.h>

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "agent/appliers/step_command.h"
#include "agent/atomic_file.h"

namespace swell::agent {
namespace {

constexpr size_t kMaxCmdline = 64 * 1024;
constexpr size_t kMaxListing = 1 << 20;

}  // namespace

DockerProbe::DockerProbe(std::map<std::string, std::string> env,
                         std::string proc_dir, absl::Duration timeout)
    : env_(std::move(env)), proc_dir_(std::move(proc_dir)), timeout_(timeout) {}

absl::StatusOr<std::string> DockerProbe::ServerVersion(
    const std::atomic<bool>* cancel, std::string* transcript) const {
  StepRun run =
      RunStepCommand({{"docker", "version", "--format", "{{.Server.Version}}"},
                      env_,
                      timeout_,
                      4096},
                     cancel, transcript);
  if (!run.ok) return absl::UnavailableError(run.message);
  return std::string(absl::StripAsciiWhitespace(LastLine(run.output, 256)));
}

absl::StatusOr<std::vector<Container>> DockerProbe::Containers(
    bool all, const std::atomic<bool>* cancel, std::string* transcript) const {
  std::vector<std::string> argv = {"docker", "ps", "--no-trunc", "--format",
                                   kContainerFormat};
  if (all) argv.insert(argv.begin() + 2, "--all");
  StepRun run =
      RunStepCommand({argv, env_, timeout_, kMaxListing}, cancel, transcript);
  if (!run.ok) return absl::UnavailableError(run.message);
  return ParseContainerList(run.output);
}

std::vector<HostProcess> DockerProbe::Processes() const {
  std::vector<HostProcess> out;
  DIR* dir = opendir(proc_dir_.c_str());
  if (dir == nullptr) return out;
  while (dirent* e = readdir(dir)) {
    int pid = 0;
    if (!absl::SimpleAtoi(e->d_name, &pid) || pid <= 0) continue;
    absl::StatusOr<std::string> cmdline = ReadFileBounded(
        absl::StrCat(proc_dir_, "/", e->d_name, "/cmdline"), kMaxCmdline);
    if (!cmdline.ok() || cmdline->empty())
      continue;  // gone, or a kernel thread
    HostProcess p;
    p.pid = pid;
    absl::string_view args = *cmdline;
    absl::ConsumeSuffix(&args, absl::string_view("\0", 1));
    p.argv = absl::StrSplit(args, '\0');
    out.push_back(std::move(p));
  }
  closedir(dir);
  return out;
}

DockerProbe::Snapshot DockerProbe::Take(const std::atomic<bool>* cancel) const {
  Snapshot s;
  StepRun info =
      RunStepCommand({{"docker", "info", "--format", "{{.ServerVersion}}"},
                      env_,
                      timeout_,
                      4096},
                     cancel, nullptr);
  s.up = info.ok;
  if (!info.ok) {
    s.error = info.message;
    return s;
  }
  absl::StatusOr<std::vector<Container>> running =
      Containers(false, cancel, nullptr);
  absl::StatusOr<std::vector<Container>> all =
      running.ok() ? Containers(true, cancel, nullptr) : running;
  if (!all.ok()) {
    s.error = std::string(all.status().message());
    return s;
  }
  s.listed = true;
  s.running = *std::move(running);
  for (const Container& c : *all) s.known_ids.insert(c.id);
  s.orphans = FindOrphans(Processes(), s.known_ids, s.running);
  return s;
}

}  // namespace swell::agent
