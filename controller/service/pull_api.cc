#include "controller/service/pull_api.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/listen_address.h"
#include "controller/service/agent_messages.h"
#include "httplib.h"
#include "spdlog/spdlog.h"

namespace swell::controller {
namespace {

constexpr char kHostPath[] = R"(/v1/hosts/([^/]+)/)";

int HttpStatus(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kInvalidArgument:
      return 400;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kFailedPrecondition:
      return 409;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    case absl::StatusCode::kUnavailable:
      return 503;
    default:
      return 500;
  }
}

void Answer(const absl::Status& s, httplib::Response& res) {
  res.status = s.ok() ? 204 : HttpStatus(s);
  if (!s.ok()) res.set_content(ErrorJson(s.message()), "application/json");
}

std::string ETag(int64_t generation) {
  return absl::StrCat("\"", generation, "\"");
}

bool ETagMatches(const std::string& if_none_match, int64_t generation) {
  absl::string_view v = absl::StripAsciiWhitespace(if_none_match);
  absl::ConsumePrefix(&v, "W/");
  return v == ETag(generation) || v == absl::StrCat(generation) || v == "*";
}

}  // namespace

struct PullApi::Caller {
  std::optional<std::string> host;   // from its client certificate
  std::optional<TokenHolder> token;  // from its bearer token
  bool anyone = false;               // insecure mode
};

PullApi::PullApi(PullHosts* hosts, const FleetSnapshots* snapshots,
                 Authenticator* authenticator, const common::Clock* clock)
    : hosts_(hosts),
      snapshots_(snapshots),
      authenticator_(authenticator),
      clock_(clock) {}

PullApi::~PullApi() { Stop(); }

absl::Status PullApi::Start(const PullApiConfig& config) {
  config_ = config;
  std::string host;
  if (absl::Status s = common::SplitListenAddress(
          config.listen, "--pull_listen", &host, &port_);
      !s.ok()) {
    return s;
  }
  if (config.insecure) {
    server_ = std::make_unique<httplib::Server>();
  } else {
    if (absl::Status s = common::CheckServerTlsFiles(config.tls, true);
        !s.ok()) {
      return s;
    }
    const common::TlsFiles tls = config.tls;
    server_ = std::make_unique<httplib::SSLServer>([tls](SSL_CTX& ctx) {
      SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
      // A client certificate is asked for and verified when given; a
      // token holder presents none.
      SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER, nullptr);
      return SSL_CTX_use_certificate_chain_file(&ctx, tls.cert.c_str()) == 1 &&
             SSL_CTX_use_PrivateKey_file(&ctx, tls.key.c_str(),
                                         SSL_FILETYPE_PEM) == 1 &&
             SSL_CTX_load_verify_locations(&ctx, tls.ca.c_str(), nullptr) == 1;
    });
    if (!server_->is_valid()) {
      return absl::InvalidArgumentError(
          "--pull_listen: OpenSSL refused the TLS files");
    }
  }
  server_->new_task_queue = [n = config.max_waiting + 16] {
    return new httplib::ThreadPool(static_cast<size_t>(n));
  };
  server_->set_payload_max_length(kMaxAgentMessageBytes);
  server_->set_read_timeout(std::chrono::seconds(10));
  server_->set_write_timeout(std::chrono::seconds(10));
  server_->Get(absl::StrCat(kHostPath, "desired"),
               [this](const httplib::Request& req, httplib::Response& res) {
                 GetDesired(req, res);
               });
  server_->Put(absl::StrCat(kHostPath, "actual"),
               [this](const httplib::Request& req, httplib::Response& res) {
                 PutActual(req, res);
               });
  server_->Post(absl::StrCat(kHostPath, "health"),
                [this](const httplib::Request& req, httplib::Response& res) {
                  PostHealth(req, res);
                });
  if (port_ == 0) {
    port_ = server_->bind_to_any_port(host);
  } else if (!server_->bind_to_port(host, port_)) {
    port_ = -1;
  }
  if (port_ <= 0) {
    return absl::UnavailableError(
        absl::StrCat("--pull_listen: cannot listen on ", config.listen));
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return absl::OkStatus();
}

void PullApi::Stop() {
  if (server_ != nullptr) server_->stop();
  if (thread_.joinable()) thread_.join();
}

absl::Status PullApi::Identify(const httplib::Request& req,
                               Caller* caller) const {
  if (config_.insecure) {
    caller->anyone = true;
    return absl::OkStatus();
  }
  if (req.ssl != nullptr) {
    SSL* ssl = const_cast<SSL*>(req.ssl);
    X509* cert = SSL_get1_peer_certificate(ssl);
    if (cert != nullptr) {
      absl::StatusOr<std::string> host =
          SSL_get_verify_result(ssl) == X509_V_OK
              ? common::CertificateHostId(cert)
              : absl::PermissionDeniedError(
                    "the client certificate did not "
                    "verify");
      X509_free(cert);
      if (!host.ok()) return host.status();
      caller->host = *host;
      return absl::OkStatus();
    }
  }
  if (req.has_header("Authorization") && authenticator_ != nullptr) {
    absl::StatusOr<TokenHolder> token =
        authenticator_->Authenticate(req.get_header_value("Authorization"));
    if (!token.ok()) return token.status();
    caller->token = *token;
    return absl::OkStatus();
  }
  return absl::UnauthenticatedError(
      "present the host's client certificate, or an API token as "
      "'Authorization: Bearer TOKEN'");
}

bool PullApi::Authorize(const httplib::Request& req, bool report,
                        httplib::Response& res, std::string* host,
                        bool* self) const {
  *host = req.matches[1];
  swell::v1::Hello shape;
  shape.set_host_id(*host);
  absl::Status s = ValidateHello(shape);
  Caller caller;
  if (s.ok()) s = Identify(req, &caller);
  if (s.ok() && caller.host.has_value() && *caller.host != *host) {
    s = absl::PermissionDeniedError(
        absl::StrCat("the certificate names ", *caller.host, ", not ", *host));
  }
  if (s.ok() && report && caller.token.has_value()) {
    s = absl::PermissionDeniedError(
        "a host reports for itself: present its client certificate");
  }
  if (!s.ok()) Answer(s, res);
  *self = caller.host.has_value() || caller.anyone;
  return s.ok();
}

bool PullApi::TakeWaiter() {
  int n = waiting_.load();
  while (n < config_.max_waiting) {
    if (waiting_.compare_exchange_weak(n, n + 1)) return true;
  }
  return false;
}

void PullApi::GetDesired(const httplib::Request& req, httplib::Response& res) {
  std::string host;
  bool self = false;
  if (!Authorize(req, /*report=*/false, res, &host, &self)) return;
  absl::Duration wait = absl::ZeroDuration();
  if (req.has_param("wait") &&
      (!absl::ParseDuration(req.get_param_value("wait"), &wait) ||
       wait < absl::ZeroDuration())) {
    Answer(absl::InvalidArgumentError("wait: expected a duration such as 30s"),
           res);
    return;
  }
  wait = std::min(wait, config_.max_wait);
  FleetSnapshots::View view = snapshots_->Latest();
  if (view.fleet == nullptr) {
    Answer(absl::UnavailableError("the controller has not loaded its state "
                                  "yet; retry"),
           res);
    return;
  }
  auto known = view.fleet->hosts.find(host);
  if (self && known != view.fleet->hosts.end() &&
      known->second.revoked_at != absl::InfinitePast()) {
    Answer(absl::PermissionDeniedError(absl::StrCat(
               "host ", host, " is revoked: ", known->second.revoke_reason)),
           res);
    return;
  }
  if (known == view.fleet->hosts.end() && !self) {
    Answer(absl::NotFoundError(absl::StrCat("host ", host, " is not known")),
           res);
    return;
  }
  if (self) hosts_->Heard(host);
  swell::v1::DesiredState state = DesiredStateFor(*view.fleet, host);
  const std::string if_none_match = req.get_header_value("If-None-Match");
  const bool unchanged =
      !if_none_match.empty() && ETagMatches(if_none_match, state.generation());
  if (unchanged && wait > absl::ZeroDuration() && TakeWaiter()) {
    const absl::Time deadline = clock_->Now() + wait;
    while (ETagMatches(if_none_match, state.generation()) &&
           clock_->Now() < deadline) {
      view = snapshots_->WaitNewer(
          view.version, std::min(deadline, clock_->Now() + absl::Seconds(5)));
      if (self) hosts_->Heard(host);  // a waiting host is alive
      state = DesiredStateFor(*view.fleet, host);
    }
    waiting_--;
  }
  res.set_header("ETag", ETag(state.generation()));
  if (ETagMatches(if_none_match, state.generation()) &&
      !if_none_match.empty()) {
    res.status = 304;
    return;
  }
  res.set_content(DesiredStateJson(state), "application/json");
}

void PullApi::PutActual(const httplib::Request& req, httplib::Response& res) {
  std::string host;
  bool self = false;
  if (!Authorize(req, /*report=*/true, res, &host, &self)) return;
  absl::StatusOr<PullReport> report = ParsePullReport(req.body);
  if (!report.ok()) return Answer(report.status(), res);
  FleetSnapshots::View view = snapshots_->Latest();
  Answer(hosts_->Report(host, *report, view.fleet.get()), res);
}

void PullApi::PostHealth(const httplib::Request& req, httplib::Response& res) {
  std::string host;
  bool self = false;
  if (!Authorize(req, /*report=*/true, res, &host, &self)) return;
  absl::StatusOr<swell::v1::HealthReport> report =
      ParsePullHealth(req.body, absl::ToUnixMillis(clock_->Now()));
  if (!report.ok()) return Answer(report.status(), res);
  Answer(hosts_->Health(host, *report), res);
}

}  // namespace swell::controller
