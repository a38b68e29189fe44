#include "agent/controller_link.h"

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"
#include "agent/backoff.h"
#include "spdlog/spdlog.h"

namespace swell::agent {
namespace {

using Stream = grpc::ClientReaderWriter<swell::v1::AgentMessage,
                                        swell::v1::ControllerMessage>;

constexpr absl::Duration kGracefulClose = absl::Seconds(1);
constexpr int kMaxDesiredBytes = 64 << 20;

std::string Describe(const grpc::Status& s) {
  return absl::StrCat("code ", s.error_code(), ": ", s.error_message());
}

}  // namespace

ControllerLink::ControllerLink(Options options, HelloFn hello,
                               DesiredFn on_desired)
    : options_(std::move(options)),
      hello_(std::move(hello)),
      on_desired_(std::move(on_desired)) {}

ControllerLink::~ControllerLink() { Stop(); }

void ControllerLink::Start() {
  if (thread_.joinable() || options_.addresses.empty()) return;
  if (options_.credentials == nullptr) {
    spdlog::critical("ControllerLink started without credentials");
    std::abort();
  }
  thread_ = std::thread([this] { Run(); });
}

void ControllerLink::Stop() {
  absl::MutexLock lock(&mu_);
  if (!thread_.joinable()) return;
  stopping_ = true;
  // The writer half-closes; a controller that then ends the stream lets
  // the reader finish by itself. One that does not is cancelled.
  if (!mu_.AwaitWithTimeout(absl::Condition(&run_done_), kGracefulClose) &&
      context_ != nullptr) {
    context_->TryCancel();
  }
  mu_.Unlock();
  thread_.join();
  mu_.Lock();
}

uint64_t ControllerLink::Send(const swell::v1::AgentMessage& message) {
  absl::MutexLock lock(&mu_);
  if (!stream_open_ || stopping_) return 0;
  const size_t bytes = message.ByteSizeLong();
  if (queue_.size() >= options_.max_queued ||
      queued_bytes_ + bytes > options_.max_queued_bytes) {
    if (dropped_++ % 1000 == 0) {
      spdlog::warn(
          "controller stream is backed up: dropping messages ({} so far)",
          dropped_);
    }
    return 0;
  }
  queue_.push_back(message);
  queued_bytes_ += bytes;
  return connection_;
}

uint64_t ControllerLink::Connection() const {
  absl::MutexLock lock(&mu_);
  return stream_open_ ? connection_ : 0;
}

uint64_t ControllerLink::dropped() const {
  absl::MutexLock lock(&mu_);
  return dropped_;
}

uint64_t ControllerLink::failed_attempts() const {
  absl::MutexLock lock(&mu_);
  return failed_attempts_;
}

std::shared_ptr<grpc::Channel> ControllerLink::NewChannel(
    const std::string& address) const {
  grpc::ChannelArguments args;
  // A subchannel of its own: one shared through gRPC's global pool could
  // still be waiting out the reconnect backoff of an earlier attempt.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  // gRPC core takes its minimum reconnect backoff as the minimum time a
  // connection attempt is given, too: it must be the connect timeout, not
  // our backoff's start, or handshakes that a busy controller answers in
  // more than that fail.
  args.SetInt(
      GRPC_ARG_MIN_RECONNECT_BACKOFF_MS,
      static_cast<int>(absl::ToInt64Milliseconds(options_.connect_timeout)));
  args.SetInt(
      GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS,
      static_cast<int>(absl::ToInt64Milliseconds(options_.backoff_initial)));
  args.SetInt(
      GRPC_ARG_MAX_RECONNECT_BACKOFF_MS,
      static_cast<int>(absl::ToInt64Milliseconds(options_.backoff_max)));
  // A controller that stops answering (hung, paused, its host gone without
  // a reset) is left within about 30 s for the next address, where a
  // standby may lead by then. The controller accepts pings every 5 s
  // (controller/listeners.cc), so these are never refused.
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 20 * 1000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10 * 1000);
  args.SetMaxReceiveMessageSize(kMaxDesiredBytes);
  return grpc::CreateCustomChannel(address, options_.credentials, args);
}

void ControllerLink::Run() {
  Backoff backoff(options_.backoff_initial, options_.backoff_max);
  size_t next = 0;
  bool reported_unreachable = false;
  while (true) {
    const std::string& address =
        options_.addresses[next++ % options_.addresses.size()];
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) break;
    }
    bool heard = Converse(address);
    if (heard) {
      backoff.Reset();
      reported_unreachable = false;
    }
    absl::Duration delay = backoff.Next();
    absl::MutexLock lock(&mu_);
    if (stopping_) break;
    // A refusal was said by Converse; it is not unreachability.
    if (!heard && !reported_unreachable && !refused_) {
      spdlog::warn(
          "cannot reach a controller (tried {}); retrying with backoff up to "
          "{}",
          address, absl::FormatDuration(options_.backoff_max));
      reported_unreachable = true;
    }
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), delay);
  }
  absl::MutexLock lock(&mu_);
  run_done_ = true;
}

bool ControllerLink::Converse(const std::string& address) {
  auto stub = swell::v1::AgentService::NewStub(NewChannel(address));
  grpc::ClientContext context;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return false;
    context_ = &context;
  }
  std::unique_ptr<Stream> stream = stub->Connect(&context);
  swell::v1::AgentMessage hello;
  *hello.mutable_hello() = hello_();
  bool heard = false;
  const bool connected = stream->Write(hello);
  if (connected) {
    uint64_t number;
    {
      absl::MutexLock lock(&mu_);
      number = connection_ = ++connections_made_;
      stream_open_ = true;
      queue_.clear();
      queued_bytes_ = 0;
    }
    std::thread writer([this, s = stream.get()] { WriteLoop(s); });
    swell::v1::ControllerMessage message;
    while (stream->Read(&message)) {
      // Connected once the controller answers the hello: one that refuses
      // it (another host's certificate, a revoked host) ends the stream
      // first.
      if (!heard) {
        spdlog::info("connected to controller {} (connection {})", address,
                     number);
        last_refusal_.clear();
      }
      heard = true;
      if (message.has_desired()) on_desired_(message.desired());
    }
    {
      absl::MutexLock lock(&mu_);
      stream_open_ = false;
      connection_ = 0;
      queue_.clear();
      queued_bytes_ = 0;
    }
    writer.join();
  }
  grpc::Status status = stream->Finish();
  bool stopping;
  {
    absl::MutexLock lock(&mu_);
    context_ = nullptr;
    stopping = stopping_;
  }
  refused_ = connected && !heard && !stopping &&
             status.error_code() == grpc::StatusCode::PERMISSION_DENIED;
  if (refused_) {
    // Refused for who this host is: said once, not at every retry.
    if (status.error_message() != last_refusal_) {
      last_refusal_ = status.error_message();
      spdlog::error(
          "controller {} refuses this host: {}; retrying with backoff", address,
          last_refusal_);
    }
  } else if (connected) {
    spdlog::warn("disconnected from controller {}: {}", address,
                 stopping ? std::string("agent stopping") : Describe(status));
  } else {
    absl::MutexLock lock(&mu_);
    failed_attempts_++;
    spdlog::debug("controller {} unavailable: {}", address, Describe(status));
  }
  return heard;
}

void ControllerLink::WriteLoop(Stream* stream) {
  while (true) {
    swell::v1::AgentMessage message;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](ControllerLink* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->mu_) {
            return !self->queue_.empty() || !self->stream_open_ ||
                   self->stopping_;
          },
          this));
      if (!stream_open_) return;
      if (queue_.empty()) {  // stopping with nothing left to say
        mu_.Unlock();
        stream->WritesDone();
        mu_.Lock();
        return;
      }
      message = std::move(queue_.front());
      queue_.pop_front();
      queued_bytes_ -= std::min(queued_bytes_, message.ByteSizeLong());
    }
    // A failed write means the stream broke; the reader sees it too.
    if (!stream->Write(message)) return;
  }
}

}  // namespace swell::agent
