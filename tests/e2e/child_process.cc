#include "tests/e2e/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"

extern char** environ;

namespace swell::e2e {
namespace {

std::vector<std::string> Environment(
    const std::map<std::string, std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv(*e);
    if (extra.count(kv.substr(0, kv.find('=')))) continue;
    env.push_back(std::move(kv));
  }
  for (const auto& [k, v] : extra) env.push_back(absl::StrCat(k, "=", v));
  return env;
}

std::vector<char*> Pointers(std::vector<std::string>& words) {
  std::vector<char*> out;
  for (auto& w : words) out.push_back(w.data());
  out.push_back(nullptr);
  return out;
}

absl::StatusOr<pid_t> Spawn(std::vector<std::string> argv,
                            const std::map<std::string, std::string>& extra_env,
                            const std::string& out_path,
                            const std::string& err_path, bool append) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  int flags = O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), flags, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), flags, 0644);
  std::vector<std::string> env = Environment(extra_env);
  auto argv_p = Pointers(argv);
  auto env_p = Pointers(env);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, argv_p[0], &actions, nullptr, argv_p.data(),
                        env_p.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    return absl::InternalError(
        absl::StrCat("cannot start ", argv[0], ": ", std::strerror(rc)));
  }
  return pid;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

absl::StatusOr<std::unique_ptr<ChildProcess>> ChildProcess::Start(
    const std::vector<std::string>& argv, const std::string& log_path,
    const std::map<std::string, std::string>& extra_env) {
  auto pid = Spawn(argv, extra_env, log_path, log_path, true);
  if (!pid.ok()) return pid.status();
  return std::unique_ptr<ChildProcess>(new ChildProcess(*pid));
}

ChildProcess::~ChildProcess() { Signal(SIGKILL); }

void ChildProcess::Signal(int sig, bool wait) {
  if (reaped_) return;
  kill(pid_, sig);
  if (sig == SIGKILL || wait) {
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
  }
}

bool ChildProcess::Running() {
  if (reaped_) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) reaped_ = true;
  return !reaped_;
}

CommandOutput RunCommand(const std::vector<std::string>& argv,
                         const std::map<std::string, std::string>& extra_env) {
  char out_tmpl[] = "/tmp/swell-e2e-out-XXXXXX";
  char err_tmpl[] = "/tmp/swell-e2e-err-XXXXXX";
  int out_fd = mkstemp(out_tmpl);
  int err_fd = mkstemp(err_tmpl);
  close(out_fd);
  close(err_fd);
  CommandOutput result;
  auto pid = Spawn(argv, extra_env, out_tmpl, err_tmpl, false);
  if (pid.ok()) {
    int status = 0;
    while (waitpid(*pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  } else {
    result.err = std::string(pid.status().message());
  }
  result.out = Slurp(out_tmpl);
  result.err += Slurp(err_tmpl);
  unlink(out_tmpl);
  unlink(err_tmpl);
  return result;
}

bool WaitFor(const std::function<bool()>& condition, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return condition();
}

}  // namespace swell::e2e
