#include "common/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

extern char** environ;

namespace swell::common {
namespace {

using SteadyTime = std::chrono::steady_clock::time_point;

constexpr auto kTermGrace = std::chrono::seconds(2);
// How often the wait loop wakes without I/O, to notice `cancel` and the
// child's exit.
constexpr int kTickMs = 20;
// After the child exited, how long output from its leftover descendants (a
// backgrounded grandchild still holding the pipe) is drained before giving up.
constexpr auto kDrainAfterExit = std::chrono::milliseconds(200);

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { Reset(); }
  int get() const { return fd_; }
  void Reset(int fd = -1) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

absl::Status ErrnoStatus(int err, absl::string_view what) {
  std::string msg = absl::StrCat(what, ": ", std::strerror(err));
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return absl::NotFoundError(msg);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(msg);
    default:
      return absl::InternalError(msg);
  }
}

// Finds the program the way execvp would, but before forking, so that a
// missing program is a clean kNotFound rather than a child exiting 127.
absl::StatusOr<std::string> FindProgram(const CommandSpec& spec) {
  const std::string& name = spec.argv[0];
  if (name.empty()) return absl::InvalidArgumentError("empty program name");
  auto check = [](const std::string& path) -> absl::Status {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) return ErrnoStatus(errno, path);
    if (S_ISDIR(st.st_mode)) {
      return absl::PermissionDeniedError(absl::StrCat(path, " is a directory"));
    }
    if (access(path.c_str(), X_OK) != 0) return ErrnoStatus(errno, path);
    return absl::OkStatus();
  };
  if (name.find('/') != std::string::npos) {
    std::string path = name;
    if (name[0] != '/' && !spec.working_dir.empty()) {
      path = absl::StrCat(spec.working_dir, "/", name);
    }
    absl::Status s = check(path);
    if (!s.ok()) return s;
    return path;
  }
  std::string path_var = "/usr/local/bin:/usr/bin:/bin";
  if (auto it = spec.extra_env.find("PATH"); it != spec.extra_env.end()) {
    path_var = it->second;
  } else if (const char* p = std::getenv("PATH"); p != nullptr) {
    path_var = p;
  }
  absl::Status first_denied = absl::OkStatus();
  for (absl::string_view dir : absl::StrSplit(path_var, ':')) {
    std::string candidate = absl::StrCat(dir.empty() ? "." : dir, "/", name);
    absl::Status s = check(candidate);
    if (s.ok()) return candidate;
    if (absl::IsPermissionDenied(s) && first_denied.ok()) first_denied = s;
  }
  if (!first_denied.ok()) return first_denied;
  return absl::NotFoundError(
      absl::StrCat("program '", name, "' not found on PATH"));
}

std::vector<std::string> BuildEnv(
    const std::map<std::string, std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view kv(*e);
    std::string_view key = kv.substr(0, kv.find('='));
    if (extra.count(std::string(key)) == 0) env.emplace_back(kv);
  }
  for (const auto& [k, v] : extra) env.push_back(absl::StrCat(k, "=", v));
  return env;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Keeps the last `max` bytes of everything appended.
class TailBuffer {
 public:
  explicit TailBuffer(size_t max) : max_(max) {}
  void Append(const char* data, size_t n) {
    if (n >= max_) {
      truncated_ = truncated_ || n > max_ || !buf_.empty();
      buf_.assign(data + (n - max_), max_);
      return;
    }
    buf_.append(data, n);
    if (buf_.size() > 2 * max_) Trim();
  }
  std::string Take(bool* truncated) {
    Trim();
    *truncated = truncated_;
    return std::move(buf_);
  }

 private:
  void Trim() {
    if (buf_.size() <= max_) return;
    buf_.erase(0, buf_.size() - max_);
    truncated_ = true;
  }
  size_t max_;
  std::string buf_;
  bool truncated_ = false;
};

// Writes to a pipe whose reader may be gone without raising SIGPIPE in the
// process: the signal is blocked for this thread, and a pending one consumed.
ssize_t WriteNoSigpipe(int fd, const char* data, size_t n) {
  sigset_t pipe_set, old_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
  ssize_t w = write(fd, data, n);
  int saved = errno;
  if (w < 0 && saved == EPIPE) {
    struct timespec zero = {0, 0};
    while (sigtimedwait(&pipe_set, nullptr, &zero) > 0) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
  errno = saved;
  return w;
}

absl::Status SetNonBlocking(int fd) {
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
    return ErrnoStatus(errno, "fcntl");
  }
  return absl::OkStatus();
}

absl::Duration ToAbsl(std::chrono::steady_clock::duration d) {
  return absl::FromChrono(
      std::chrono::duration_cast<std::chrono::nanoseconds>(d));
}

}  // namespace

std::string CommandResult::Describe() const {
  absl::Duration rounded = duration < absl::Seconds(1)
                               ? absl::Trunc(duration, absl::Milliseconds(1))
                               : absl::Trunc(duration, absl::Milliseconds(100));
  std::string took = absl::FormatDuration(rounded);
  if (timed_out) return absl::StrCat("timed out after ", took);
  if (cancelled) return absl::StrCat("cancelled after ", took);
  if (exited) return absl::StrCat("exit ", exit_code, " in ", took);
  if (signal != 0) {
    return absl::StrCat("killed by signal ", signal, " (", strsignal(signal),
                        ") in ", took);
  }
  return absl::StrCat("did not finish, after ", took);
}

absl::StatusOr<CommandResult> RunCommand(const CommandSpec& spec) {
  if (spec.argv.empty()) return absl::InvalidArgumentError("empty command");
  absl::StatusOr<std::string> program = FindProgram(spec);
  if (!program.ok()) return program.status();

  int in_pipe[2], out_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0) return ErrnoStatus(errno, "pipe");
  Fd in_read(in_pipe[0]), in_write(in_pipe[1]);
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return ErrnoStatus(errno, "pipe");
  Fd out_read(out_pipe[0]), out_write(out_pipe[1]);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_read.get(), STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out_write.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out_write.get(), STDERR_FILENO);
  if (!spec.working_dir.empty()) {
    posix_spawn_file_actions_addchdir_np(&actions, spec.working_dir.c_str());
  }
  // The child leads its own process group, so that a timeout can stop its
  // whole tree. Signals blocked or ignored by the agent are reset.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t empty_set, default_set;
  sigemptyset(&empty_set);
  sigemptyset(&default_set);
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGQUIT}) {
    sigaddset(&default_set, sig);
  }
  posix_spawnattr_setsigmask(&attr, &empty_set);
  posix_spawnattr_setsigdefault(&attr, &default_set);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP |
                                      POSIX_SPAWN_SETSIGMASK |
                                      POSIX_SPAWN_SETSIGDEF);

  std::vector<std::string> argv_storage = spec.argv;
  std::vector<std::string> env_storage = BuildEnv(spec.extra_env);
  std::vector<char*> argv = CStrings(argv_storage);
  std::vector<char*> envp = CStrings(env_storage);

  const SteadyTime start = std::chrono::steady_clock::now();
  pid_t pid = -1;
  int err = posix_spawn(&pid, program->c_str(), &actions, &attr, argv.data(),
                        envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (err != 0) return ErrnoStatus(err, absl::StrCat("spawn ", *program));
  in_read.Reset();
  out_write.Reset();

  SetNonBlocking(out_read.get()).IgnoreError();
  size_t stdin_written = 0;
  if (spec.stdin_data.empty() || !SetNonBlocking(in_write.get()).ok()) {
    in_write.Reset();
  }

  CommandResult result;
  TailBuffer tail(std::max<size_t>(spec.max_output, 1));
  // Clamped so that an infinite timeout cannot overflow the deadline.
  const auto timeout =
      absl::ToChronoNanoseconds(std::min(spec.timeout, absl::Hours(24 * 365)));
  const SteadyTime deadline = start + timeout;
  SteadyTime term_sent{}, drain_until{};
  bool term_pending = false, killed = false, reaped = false;
  int wait_status = 0;

  auto stop_group = [&](int sig) { kill(-pid, sig); };

  while (true) {
    if (!reaped) {
      pid_t r = waitpid(pid, &wait_status, WNOHANG);
      if (r == pid) {
        reaped = true;
        drain_until = std::chrono::steady_clock::now() + kDrainAfterExit;
        // Leftover descendants of a stopped command get no second chance.
        if (term_pending) stop_group(SIGKILL);
      }
    }
    const SteadyTime now = std::chrono::steady_clock::now();
    if (reaped && (out_read.get() < 0 || now >= drain_until)) break;
    if (!reaped && !term_pending) {
      bool cancel = spec.cancel != nullptr && spec.cancel->load();
      if (cancel || now >= deadline) {
        result.cancelled = cancel && now < deadline;
        result.timed_out = !result.cancelled;
        stop_group(SIGTERM);
        term_pending = true;
        term_sent = now;
      }
    }
    if (!reaped && term_pending && !killed && now - term_sent >= kTermGrace) {
      stop_group(SIGKILL);
      killed = true;
    }

    pollfd fds[2];
    int nfds = 0;
    if (out_read.get() >= 0) fds[nfds++] = {out_read.get(), POLLIN, 0};
    if (in_write.get() >= 0) fds[nfds++] = {in_write.get(), POLLOUT, 0};
    int n = poll(fds, nfds, kTickMs);
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < nfds && n > 0; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == out_read.get()) {
        char buf[16384];
        ssize_t got = read(out_read.get(), buf, sizeof buf);
        if (got > 0) {
          tail.Append(buf, static_cast<size_t>(got));
        } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
          out_read.Reset();
        }
      } else {
        const std::string& in = spec.stdin_data;
        ssize_t w = WriteNoSigpipe(in_write.get(), in.data() + stdin_written,
                                   in.size() - stdin_written);
        if (w > 0) stdin_written += static_cast<size_t>(w);
        if ((w < 0 && errno != EAGAIN && errno != EINTR) ||
            stdin_written == in.size()) {
          in_write.Reset();
        }
      }
    }
  }

  result.duration = ToAbsl(std::chrono::steady_clock::now() - start);
  result.output = tail.Take(&result.truncated);
  if (WIFEXITED(wait_status)) {
    result.exited = true;
    result.exit_code = WEXITSTATUS(wait_status);
  } else if (WIFSIGNALED(wait_status)) {
    result.signal = WTERMSIG(wait_status);
  }
  // A command that exits by itself just as the timeout fires is still
  // reported as stopped by us: we did signal it.
  return result;
}

absl::StatusOr<std::vector<std::string>> SplitCommandLine(
    std::string_view line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  size_t i = 0;
  auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  };
  while (i < line.size()) {
    char c = line[i];
    if (is_space(c)) {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      ++i;
    } else if (c == '\'') {
      size_t end = line.find('\'', i + 1);
      if (end == std::string_view::npos) {
        return absl::InvalidArgumentError(
            absl::StrCat("unterminated single quote at offset ", i));
      }
      word.append(line.substr(i + 1, end - i - 1));
      in_word = true;
      i = end + 1;
    } else if (c == '"') {
      size_t j = i + 1;
      for (;; ++j) {
        if (j >= line.size()) {
          return absl::InvalidArgumentError(
              absl::StrCat("unterminated double quote at offset ", i));
        }
        if (line[j] == '"') break;
        if (line[j] == '\\' && j + 1 < line.size()) {
          char next = line[j + 1];
          if (next == '\n') {
            ++j;
            continue;
          }
          if (next == '"' || next == '\\' || next == '$' || next == '`') {
            word.push_back(next);
            ++j;
            continue;
          }
        }
        word.push_back(line[j]);
      }
      in_word = true;
      i = j + 1;
    } else if (c == '\\') {
      if (i + 1 >= line.size()) {
        return absl::InvalidArgumentError("trailing backslash");
      }
      if (line[i + 1] != '\n') {
        word.push_back(line[i + 1]);
        in_word = true;
      }
      i += 2;
    } else {
      word.push_back(c);
      in_word = true;
      ++i;
    }
  }
  if (in_word) words.push_back(std::move(word));
  if (words.empty()) return absl::InvalidArgumentError("empty command line");
  return words;
}

}  // namespace swell::common
