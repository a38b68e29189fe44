#include "tests/support/throwaway_postgres.h"

#include <arpa/inet.h>
#include <glob.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "pqxx/connection"
#include "pqxx/nontransaction"
#include "tests/support/fixture_util.h"
#include "tests/support/shell.h"

namespace swell::test_support {
namespace {

constexpr absl::Duration kStartDeadline = absl::Seconds(60);
constexpr absl::Duration kPollInterval = absl::Milliseconds(20);
constexpr int kPortAttempts = 5;

bool RunningAsRoot() { return geteuid() == 0; }

// The major version in ".../postgresql/<major>/bin/initdb", or 0.
int MajorVersion(const std::string& initdb_path) {
  std::vector<std::string> parts = absl::StrSplit(initdb_path, '/');
  int major = 0;
  if (parts.size() >= 3 && absl::SimpleAtoi(parts[parts.size() - 3], &major)) {
    return major;
  }
  return 0;
}

absl::StatusOr<std::string> FindBinDir() {
  if (const char* env = std::getenv("SWELL_PG_BINDIR"); env && *env) {
    return std::string(env);
  }
  glob_t found;
  int rc = glob("/usr/lib/postgresql/*/bin/initdb", 0, nullptr, &found);
  std::vector<std::string> paths(
      found.gl_pathv, found.gl_pathv + (rc == 0 ? found.gl_pathc : 0));
  globfree(&found);
  if (paths.empty()) {
    return absl::FailedPreconditionError(
        "no /usr/lib/postgresql/*/bin/initdb; install PostgreSQL or set "
        "SWELL_PG_BINDIR");
  }
  auto newest =
      std::max_element(paths.begin(), paths.end(),
                       [](const std::string& a, const std::string& b) {
                         return MajorVersion(a) < MajorVersion(b);
                       });
  return std::filesystem::path(*newest).parent_path().string();
}

// Last resort when pg_ctl cannot stop the server it started: the
// postmaster's pid is the first line of postmaster.pid.
void KillPostmaster(const std::string& pid_file) {
  std::string text = ReadFileOrEmpty(pid_file);
  int pid = 0;
  if (absl::SimpleAtoi(text.substr(0, text.find('\n')), &pid) && pid > 0) {
    kill(pid, SIGKILL);
  }
}

// A conninfo value, quoted as libpq expects.
std::string ConninfoQuote(std::string_view value) {
  std::string quoted = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "'";
}

}  // namespace

ThrowawayPostgres::~ThrowawayPostgres() {
  if (absl::Status s = Stop(); !s.ok()) {
    std::cerr << "ThrowawayPostgres: " << s << "\n";
  }
}

std::string ThrowawayPostgres::ConninfoFor(std::string_view name) const {
  return absl::StrCat("host=127.0.0.1 port=", port_,
                      " user=swell dbname=", ConninfoQuote(name));
}

absl::StatusOr<std::string> ThrowawayPostgres::RunTool(
    std::string_view tool, std::vector<std::string> args) const {
  std::vector<std::string> argv;
  if (RunningAsRoot()) argv = {"runuser", "-u", "postgres", "--"};
  argv.push_back(absl::StrCat(bin_dir_, "/", std::string(tool)));
  argv.insert(argv.end(), args.begin(), args.end());
  absl::StatusOr<ShellResult> result = RunShell(argv, dir_);
  if (!result.ok()) return result.status();
  if (result->exit_code != 0) {
    return absl::InternalError(absl::StrCat(std::string(tool), " failed (exit ",
                                            result->exit_code,
                                            "): ", result->output));
  }
  return result->output;
}

absl::StatusOr<std::string> ThrowawayPostgres::Start() {
  if (!dir_.empty()) {
    return absl::FailedPreconditionError("ThrowawayPostgres already started");
  }
  absl::StatusOr<std::string> bin_dir = FindBinDir();
  if (!bin_dir.ok()) return bin_dir.status();
  bin_dir_ = *bin_dir;

  // As root, the server runs as "postgres", which must reach the directory:
  // /tmp, whatever TMPDIR says.
  std::string base = RunningAsRoot()
                         ? std::string("/tmp")
                         : std::filesystem::temp_directory_path().string();
  std::string templ = base + "/swell-pg-XXXXXX";
  if (mkdtemp(templ.data()) == nullptr) {
    return absl::InternalError(ErrnoText("mkdtemp"));
  }
  dir_ = templ;

  absl::Status status = InitCluster();
  if (status.ok()) status = StartServer();
  if (status.ok()) status = AwaitConnections();
  absl::StatusOr<std::string> conninfo =
      status.ok() ? CreateDatabase("swell") : status;
  if (!conninfo.ok()) {
    (void)Stop();  // the first error is the one worth reporting
    return conninfo.status();
  }
  return conninfo;
}

absl::Status ThrowawayPostgres::InitCluster() {
  if (RunningAsRoot()) {
    passwd* pw = getpwnam("postgres");
    if (pw == nullptr) {
      return absl::FailedPreconditionError(
          "running as root, but there is no user \"postgres\" to run the "
          "server as");
    }
    if (chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      return absl::InternalError(ErrnoText("chown"));
    }
  }
  absl::StatusOr<std::string> out = RunTool(
      "initdb", {"-D", dir_ + "/data", "-A", "trust", "-U", "swell", "-E",
                 "UTF8", "--locale=C", "--no-sync", "--no-instructions"});
  if (!out.ok()) return out.status();
  std::ofstream conf(dir_ + "/data/postgresql.conf", std::ios::app);
  conf << "\n# ThrowawayPostgres\n"
       << "listen_addresses = '127.0.0.1'\n"
       << "unix_socket_directories = '" << dir_ << "'\n"
       << "fsync = off\n"
       << "synchronous_commit = off\n"
       << "full_page_writes = off\n";
  conf.close();
  if (!conf) return absl::InternalError("cannot append to postgresql.conf");
  return absl::OkStatus();
}

absl::Status ThrowawayPostgres::StartServer(bool same_port) {
  std::string log = dir_ + "/server.log";
  absl::Status last;
  for (int attempt = 0; attempt < kPortAttempts; ++attempt) {
    if (!same_port) {
      absl::StatusOr<int> port = FreeLoopbackPort();
      if (!port.ok()) return port.status();
      port_ = *port;
    }
    absl::StatusOr<std::string> out =
        RunTool("pg_ctl", {"-D", dir_ + "/data", "-l", log, "-w", "-t",
                           absl::StrCat(absl::ToInt64Seconds(kStartDeadline)),
                           "-o", absl::StrCat("-p ", port_), "start"});
    if (out.ok()) {
      running_ = true;
      return absl::OkStatus();
    }
    std::string log_text = ReadFileOrEmpty(log);
    last = absl::InternalError(
        absl::StrCat(out.status().message(), "\nserver log:\n", log_text));
    if (!absl::StrContains(log_text, "could not bind") &&
        !absl::StrContains(log_text, "Address already in use")) {
      break;
    }
  }
  return last;
}

absl::Status ThrowawayPostgres::AwaitConnections() {
  absl::Time deadline = absl::Now() + kStartDeadline;
  std::string last_error;
  while (absl::Now() < deadline) {
    try {
      pqxx::connection probe(ConninfoFor("postgres"));
      return absl::OkStatus();
    } catch (const std::exception& e) {
      last_error = e.what();
    }
    absl::SleepFor(kPollInterval);
  }
  return absl::DeadlineExceededError(absl::StrCat(
      "PostgreSQL on port ", port_, " accepted no connection within ",
      absl::FormatDuration(kStartDeadline), ": ", last_error));
}

absl::StatusOr<std::string> ThrowawayPostgres::CreateDatabase(
    std::string_view name) {
  if (!running_) {
    return absl::FailedPreconditionError("ThrowawayPostgres is not running");
  }
  try {
    pqxx::connection conn(ConninfoFor("postgres"));
    pqxx::nontransaction tx(conn);
    tx.exec("CREATE DATABASE " + tx.quote_name(std::string(name)));
  } catch (const std::exception& e) {
    return absl::InternalError(
        absl::StrCat("CREATE DATABASE ", std::string(name), ": ", e.what()));
  }
  return ConninfoFor(name);
}

absl::Status ThrowawayPostgres::Pause() {
  if (!running_) {
    return absl::FailedPreconditionError("ThrowawayPostgres is not running");
  }
  // Fast, not immediate: with synchronous_commit off, a crash would lose
  // the last commits, which a real server (synchronous_commit on) keeps.
  absl::StatusOr<std::string> out =
      RunTool("pg_ctl", {"-D", dir_ + "/data", "-m", "fast", "-w", "stop"});
  if (!out.ok()) return out.status();
  running_ = false;
  return absl::OkStatus();
}

absl::Status ThrowawayPostgres::Resume() {
  if (running_ || dir_.empty()) {
    return absl::FailedPreconditionError(
        "ThrowawayPostgres is running, or was never started");
  }
  if (absl::Status s = StartServer(/*same_port=*/true); !s.ok()) return s;
  return AwaitConnections();
}

absl::Status ThrowawayPostgres::ResumeOn(int port) {
  if (running_ || dir_.empty()) {
    return absl::FailedPreconditionError(
        "ThrowawayPostgres is running, or was never started");
  }
  port_ = port;
  return Resume();
}

absl::Status ThrowawayPostgres::Stop() {
  if (dir_.empty()) return absl::OkStatus();
  absl::Status status;
  if (running_) {
    absl::StatusOr<std::string> out = RunTool(
        "pg_ctl", {"-D", dir_ + "/data", "-m", "immediate", "-w", "stop"});
    if (!out.ok()) {
      status = out.status();
      KillPostmaster(dir_ + "/data/postmaster.pid");
    }
    running_ = false;
  }
  if (absl::Status removed = RemoveTree(dir_); !removed.ok() && status.ok()) {
    status = removed;
  }
  dir_.clear();
  port_ = 0;
  return status;
}

}  // namespace swell::test_support
