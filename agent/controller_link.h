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
// address with jittered exponential backoff. Connects and disconnects are
// logged once per change, not per retry.
//
// Plaintext only for now (the caller has checked --insecure).
class ControllerLink final : public MessageSink {
 public:
  struct Options {
    std::vector<std::string> addresses;  // host:port, tried in turn
    absl::Duration backoff_initial = absl::Milliseconds(200);
    absl::Duration backoff_max = absl::Seconds(15);
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

 private:
  void Run();
  // One connection's life; true when the controller sent anything.
  bool Converse(const std::string& address);
  void WriteLoop(
      grpc::ClientReaderWriter<swell::v1::AgentMessage,
                               swell::v1::ControllerMessage>* stream);
  std::shared_ptr<grpc::Channel> ChannelFor(const std::string& address);

  const Options options_;
  const HelloFn hello_;
  const DesiredFn on_desired_;
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels_;  // Run only

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool run_done_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;
  bool stream_open_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t connection_ ABSL_GUARDED_BY(mu_) = 0;  // 0: none open
  uint64_t connections_made_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t dropped_ ABSL_GUARDED_BY(mu_) = 0;
  std::deque<swell::v1::AgentMessage> queue_ ABSL_GUARDED_BY(mu_);
  size_t queued_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace swell::agent
