#include "tests/support/throwaway_prometheus.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/http_client.h"
#include "tests/support/fixture_util.h"

namespace swell::test_support {
namespace {

constexpr char kDefaultBinary[] = "/usr/bin/prometheus";
constexpr absl::Duration kReadyDeadline = absl::Seconds(60);
constexpr absl::Duration kStopDeadline = absl::Seconds(10);
constexpr absl::Duration kPollInterval = absl::Milliseconds(20);
constexpr absl::Duration kRequestTimeout = absl::Seconds(10);
constexpr int kPortAttempts = 5;
constexpr int kLogTailLines = 30;

// `text` as a double-quoted YAML scalar.
std::string YamlQuote(const std::string& text) {
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "\"";
}

std::string DescribeWait(int status) {
  if (WIFEXITED(status)) return absl::StrCat("exit ", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return absl::StrCat("signal ", WTERMSIG(status));
  return absl::StrCat("wait status ", status);
}

}  // namespace

ThrowawayPrometheus::~ThrowawayPrometheus() {
  if (absl::Status s = Stop(); !s.ok()) {
    std::cerr << "ThrowawayPrometheus: " << s << "\n";
  }
}

void ThrowawayPrometheus::ServeTls(IssuedCertificate certificate,
                                   std::string ca_file) {
  tls_ = std::move(certificate);
  tls_ca_file_ = std::move(ca_file);
}

std::string ThrowawayPrometheus::url() const {
  if (port_ == 0) return "";
  return absl::StrCat(tls_ ? "https" : "http", "://127.0.0.1:", port_);
}

std::string ThrowawayPrometheus::Log() const {
  return dir_.empty() ? "" : ReadFileOrEmpty(dir_ + "/prometheus.log");
}

absl::Status ThrowawayPrometheus::WithLogTail(absl::StatusCode code,
                                              std::string_view message) {
  std::vector<std::string> lines =
      absl::StrSplit(Log(), '\n', absl::SkipEmpty());
  if (lines.size() > kLogTailLines) {
    lines.erase(lines.begin(), lines.end() - kLogTailLines);
  }
  return absl::Status(
      code,
      absl::StrCat(std::string(message), "\nlast lines of its log:\n",
                   lines.empty() ? "(empty)" : absl::StrJoin(lines, "\n")));
}

absl::Status ThrowawayPrometheus::Start(
    const std::vector<PrometheusTarget>& targets) {
  if (!dir_.empty()) {
    return absl::FailedPreconditionError("ThrowawayPrometheus already started");
  }
  const char* env = std::getenv("SWELL_PROMETHEUS");
  const std::string binary = env != nullptr && *env ? env : kDefaultBinary;
  if (access(binary.c_str(), X_OK) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "no executable Prometheus server at ", binary,
        ": install the Debian package prometheus (deploy/install-deps.sh) "
        "or set SWELL_PROMETHEUS"));
  }
  const char* tmp = std::getenv("TMPDIR");
  std::string templ =
      absl::StrCat(tmp != nullptr && *tmp ? tmp : "/tmp", "/swell-prom-XXXXXX");
  if (mkdtemp(templ.data()) == nullptr) {
    return absl::InternalError(ErrnoText("mkdtemp"));
  }
  dir_ = templ;

  absl::Status status = WriteConfig(targets);
  if (status.ok() && tls_) status = WriteWebConfig();
  for (int attempt = 1; status.ok(); ++attempt) {
    absl::StatusOr<int> port = FreeLoopbackPort();
    if (!port.ok()) {
      status = port.status();
      break;
    }
    port_ = *port;
    std::error_code ignored;
    std::filesystem::remove(dir_ + "/prometheus.log", ignored);
    status = Spawn(binary);
    if (status.ok()) status = AwaitReady();
    // Another process took the port between the probe and the server,
    // which has exited: try another.
    const bool lost_port = !status.ok() && pid_ == 0 &&
                           attempt < kPortAttempts &&
                           absl::StrContains(Log(), "address already in use");
    if (!lost_port) break;
    status = absl::OkStatus();
  }
  if (!status.ok()) {
    (void)Stop();  // the first error is the one worth reporting
    return status;
  }
  return absl::OkStatus();
}

absl::Status ThrowawayPrometheus::WriteConfig(
    const std::vector<PrometheusTarget>& targets) const {
  std::ofstream out(dir_ + "/prometheus.yml");
  out << "# ThrowawayPrometheus\n"
      << "global:\n"
      << "  scrape_interval: 1s\n"
      << "  scrape_timeout: 1s\n"
      << "  evaluation_interval: 1s\n"
      << "scrape_configs:\n"
      << "  - job_name: swell\n"
      << "    static_configs:" << (targets.empty() ? " []\n" : "\n");
  for (const PrometheusTarget& t : targets) {
    out << "      - targets: [" << YamlQuote(t.address) << "]\n";
    if (t.labels.empty()) continue;
    out << "        labels:\n";
    for (const auto& [name, value] : t.labels) {
      out << "          " << YamlQuote(name) << ": " << YamlQuote(value)
          << "\n";
    }
  }
  out.close();
  if (!out) return absl::InternalError("cannot write prometheus.yml");
  return absl::OkStatus();
}

absl::Status ThrowawayPrometheus::WriteWebConfig() const {
  std::ofstream out(dir_ + "/web.yml");
  out << "# ThrowawayPrometheus\n"
      << "tls_server_config:\n"
      << "  cert_file: " << YamlQuote(tls_->cert_file) << "\n"
      << "  key_file: " << YamlQuote(tls_->key_file) << "\n";
  out.close();
  if (!out) return absl::InternalError("cannot write web.yml");
  return absl::OkStatus();
}

absl::Status ThrowawayPrometheus::Spawn(const std::string& binary) {
  std::vector<std::string> args = {
      binary, absl::StrCat("--config.file=", dir_, "/prometheus.yml"),
      absl::StrCat("--storage.tsdb.path=", dir_, "/data"),
      absl::StrCat("--web.listen-address=127.0.0.1:", port_),
      "--log.level=info"};
  if (tls_)
    args.push_back(absl::StrCat("--web.config.file=", dir_, "/web.yml"));
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string log = dir_ + "/prometheus.log";
  const pid_t parent = getpid();

  // Between fork and exec only async-signal-safe calls.
  pid_t pid = fork();
  if (pid < 0) return absl::InternalError(ErrnoText("fork"));
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);  // the parent is already gone
    int out =
        open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (out < 0 || in < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 ||
        dup2(out, 2) < 0) {
      _exit(127);
    }
    execv(argv[0], argv.data());
    static constexpr char kExecFailed[] = "ThrowawayPrometheus: execv failed\n";
    (void)!write(2, kExecFailed, sizeof(kExecFailed) - 1);
    _exit(127);
  }
  pid_ = pid;
  return absl::OkStatus();
}

absl::Status ThrowawayPrometheus::AwaitReady() {
  absl::StatusOr<common::HttpUrl> ready =
      common::ParseHttpOrHttpsUrl(absl::StrCat(url(), "/-/ready"));
  if (!ready.ok()) return ready.status();
  const absl::Time deadline = absl::Now() + kReadyDeadline;
  std::string last = "no answer yet";
  while (absl::Now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = 0;
      return WithLogTail(absl::StatusCode::kInternal,
                         absl::StrCat("prometheus on 127.0.0.1:", port_,
                                      " exited before it was ready (",
                                      DescribeWait(status), ")"));
    }
    common::HttpOptions options;
    options.timeout = absl::Seconds(1);
    options.ca_file = tls_ca_file_;
    absl::StatusOr<common::HttpResponse> response =
        common::HttpSend({*ready, false, "", ""}, options);
    if (response.ok() && response->status == 200) return absl::OkStatus();
    last = response.ok()
               ? absl::StrCat("HTTP ", response->status, " ", response->body)
               : std::string(response.status().message());
    absl::SleepFor(kPollInterval);
  }
  return WithLogTail(
      absl::StatusCode::kDeadlineExceeded,
      absl::StrCat("prometheus on 127.0.0.1:", port_, " was not ready within ",
                   absl::FormatDuration(kReadyDeadline),
                   "; GET /-/ready: ", last));
}

absl::StatusOr<std::string> ThrowawayPrometheus::Query(
    std::string_view promql) const {
  if (pid_ <= 0) {
    return absl::FailedPreconditionError("ThrowawayPrometheus is not running");
  }
  absl::StatusOr<common::HttpUrl> endpoint =
      common::ParseHttpOrHttpsUrl(absl::StrCat(url(), "/api/v1/query"));
  if (!endpoint.ok()) return endpoint.status();
  common::HttpOptions options;
  options.timeout = kRequestTimeout;
  options.ca_file = tls_ca_file_;
  absl::StatusOr<common::HttpResponse> response = common::HttpSend(
      {*endpoint, true, "application/x-www-form-urlencoded",
       absl::StrCat("query=", common::FormEncode(std::string(promql)))},
      options);
  if (!response.ok()) return response.status();
  if (response->status == 200) return std::move(response->body);
  const std::string what =
      absl::StrCat("query ", std::string(promql), ": HTTP ", response->status,
                   ": ", response->body);
  if (response->status == 400 || response->status == 422) {
    return absl::InvalidArgumentError(what);
  }
  return absl::UnavailableError(what);
}

absl::Status ThrowawayPrometheus::Stop() {
  if (dir_.empty()) return absl::OkStatus();
  absl::Status status;
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    const absl::Time deadline = absl::Now() + kStopDeadline;
    bool exited = false;
    int wait_status = 0;
    while (!(exited = waitpid(pid_, &wait_status, WNOHANG) == pid_) &&
           absl::Now() < deadline) {
      absl::SleepFor(kPollInterval);
    }
    if (!exited) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &wait_status, 0);
      status = WithLogTail(
          absl::StatusCode::kDeadlineExceeded,
          absl::StrCat("prometheus (pid ", pid_, ") did not exit within ",
                       absl::FormatDuration(kStopDeadline),
                       " of SIGTERM; killed"));
    }
    pid_ = 0;
  }
  if (absl::Status removed = RemoveTree(dir_); !removed.ok() && status.ok()) {
    status = removed;
  }
  dir_.clear();
  port_ = 0;
  return status;
}

}  // namespace swell::test_support
