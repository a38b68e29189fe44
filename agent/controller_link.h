#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agent/message_sink.h"
#include "grpcpp/grpcpp.h"
#include "swell/v1/agent.grpc.pb.h"

namespace swell::agent {

// The agent's one stream to a controller (AgentService.Connect), kept up
// for the agent's whole life.
//
// One thread connects, says Hello (built fresh by `hello` for every
// connection), and reads: each DesiredState goes to `on_desired`, on that
// thread. A second thread per connection writes what Send() queued, in
// order, after the Hello. When the stream breaks the link tries the next
// address with jittered exponential backoff (full jitter, capped at
// `backoff_max`). Every attempt opens a fresh channel, so that gRPC's own
// reconnect backoff never adds to ours: the link's backoff alone decides
// when the next attempt is made. Connects and disconnects are logged once
// per change, not per retry.
//
// Every channel uses the one `credentials` object it was given, so that
// TLS credentials made once keep watching their files: a certificate
// replaced on disk is presented from the next attempt on.
class ControllerLink final : public MessageSink {
 public:
  struct Options {
    std::vector<std::string> addresses;  // host:port, tried in turn
    // Required: TLS (ControllerCredentials), or plaintext, which the caller
    // has allowed (--insecure).
    std::shared_ptr<grpc::ChannelCredentials> credentials;
    absl::Duration backoff_initial = absl::Milliseconds(200);
    absl::Duration backoff_max = absl::Seconds(5);
    // How long one attempt may take to establish its connection (TCP, and
    // HTTP/2 settings) before it counts as failed. Generous: a controller
    // that many agents reach at once answers each handshake late, and a
    // short timeout turns that into failed attempts and backoff.
    absl::Duration connect_timeout = absl::Seconds(20);
    // Bounds on what waits to be written; past either, Send drops.
    size_t max_queued = 1024;
    size_t max_queued_bytes = 32 << 20;
  };
  using HelloFn = std::function<swell::v1::Hello()>;
  using DesiredFn = std::function<void(const swell::v1::DesiredState&)>;

  ControllerLink(Options options, HelloFn hello, DesiredFn on_desired);
  ~ControllerLink() override;  // stops

  void Start();
  // Half-closes the stream (WritesDone), gives the controller a second to
  // end it, then cancels it, and joins the threads. Idempotent.
  void Stop();

  uint64_t Send(const swell::v1::AgentMessage& message) override;
  uint64_t Connection() const override;

  // Messages dropped because the queue was full.
  uint64_t dropped() const;
  // Attempts that ended without the controller's stream being opened.
  uint64_t failed_attempts() const;

 private:
  void Run();
  // One connection's life; true when the controller sent anything.
  bool Converse(const std::string& address);
  void WriteLoop(
      grpc::ClientReaderWriter<swell::v1::AgentMessage,
                               swell::v1::ControllerMessage>* stream);
  std::shared_ptr<grpc::Channel> NewChannel(const std::string& address) const;

  const Options options_;
  const HelloFn hello_;
  const DesiredFn on_desired_;

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool run_done_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;
  bool stream_open_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t connection_ ABSL_GUARDED_BY(mu_) = 0;  // 0: none open
  uint64_t connections_made_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t dropped_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t failed_attempts_ ABSL_GUARDED_BY(mu_) = 0;
  std::deque<swell::v1::AgentMessage> queue_ ABSL_GUARDED_BY(mu_);
  // The controller's last PERMISSION_DENIED, logged once, and whether the
  // last attempt ended with one. Run's thread only.
  std::string last_refusal_;
  bool refused_ = false;
  size_t queued_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace swell::agent
