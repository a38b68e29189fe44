#include "tests/e2e/identity_probes.h"

#include <chrono>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/http_client.h"
#include "common/tls.h"
#include "grpcpp/grpcpp.h"
#include "swell/v1/agent.grpc.pb.h"

namespace swell::e2e {

double MetricValue(const std::string& url, absl::string_view series) {
  auto parsed = common::ParseHttpUrl(url);
  if (!parsed.ok()) return -1;
  auto resp = common::HttpGet(*parsed, absl::Seconds(5));
  if (!resp.ok() || resp->status != 200) return -1;
  for (absl::string_view line : absl::StrSplit(resp->body, '\n')) {
    if (!absl::ConsumePrefix(&line, series)) continue;
    // The value follows the last space (`series` may end with it).
    const size_t space = line.rfind(' ');
    double value = 0;
    const absl::string_view text =
        space == absl::string_view::npos ? line : line.substr(space + 1);
    return absl::SimpleAtod(text, &value) ? value : -1;
  }
  return -1;
}

grpc::StatusCode ProbeAgentListener(const std::string& address,
                                    const std::string& cert,
                                    const std::string& key,
                                    const std::string& ca) {
  auto creds = common::TlsChannelCredentials({cert, key, ca});
  if (!creds.ok()) return grpc::StatusCode::INTERNAL;
  auto stub =
      swell::v1::AgentService::NewStub(grpc::CreateChannel(address, *creds));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  auto stream = stub->Connect(&ctx);
  swell::v1::AgentMessage hello;
  hello.mutable_hello()->set_host_id("probe");
  stream->Write(hello);  // fails when the handshake does; Finish says why
  swell::v1::ControllerMessage ignored;
  while (stream->Read(&ignored)) {
  }
  return stream->Finish().error_code();
}

}  // namespace swell::e2e
