// Every AgentMessage the controller accepts, through the handling its
// agent streams run (AgentMessageHandler), into a tracker and a health
// window shared by up to kStreams concurrent streams.
//
// Input: frames, each a 3-byte header then a serialized AgentMessage (see
// agent_message_frames.h). A frame that does not parse ends the input, as
// gRPC would end the stream; a message the handler refuses ends its stream,
// and the next frame for that slot opens a new one, as a reconnecting agent
// does.

#include <array>
#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "controller/gate/health_window.h"
#include "controller/service/agent_messages.h"
#include "controller/service/agent_tracker.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fuzz/agent_message_frames.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

using swell::controller::AgentMessageHandler;
using swell::controller::AgentMessageTargets;
using swell::controller::AgentTracker;
using swell::controller::HealthWindow;
using swell::fuzz::Frame;

// Small enough that the window's budget and idle eviction are reached.
constexpr size_t kWindowBytes = 256 << 10;

struct Controller {
  swell::testing::FakeClock clock;
  AgentTracker tracker{clock.Now()};
  HealthWindow health{HealthWindow::Options{.max_bytes = kWindowBytes}};
  std::atomic<uint64_t> health_reports{0};
  std::array<std::atomic<uint64_t>, swell::controller::kSampleRefusalCount>
      samples_refused{};
  uint64_t wakes = 0;

  std::unique_ptr<AgentMessageHandler> NewStream() {
    return std::make_unique<AgentMessageHandler>(AgentMessageTargets{
        .tracker = &tracker,
        .health = &health,
        .clock = &clock,
        .health_reports = &health_reports,
        .samples_refused = &samples_refused,
        .admit = nullptr,  // every valid hello is admitted
        .connected = [](const swell::v1::Hello&) {},
        .wake = [this] { ++wakes; },
    });
  }

  // What AgentStream::OnDone does.
  void EndStream(const AgentMessageHandler& stream) {
    if (!stream.host().empty()) {
      tracker.Disconnected(stream.host(), clock.Now());
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  swell::fuzz::SilenceLogs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Controller controller;
  std::array<std::unique_ptr<AgentMessageHandler>, swell::fuzz::kStreams>
      streams;
  std::string_view input = swell::fuzz::AsText(data, size);
  while (std::optional<Frame> frame = swell::fuzz::NextFrame(input)) {
    controller.clock.Advance(frame->advance);
    swell::v1::AgentMessage msg;
    if (!msg.ParseFromArray(frame->message.data(),
                            static_cast<int>(frame->message.size()))) {
      break;
    }
    std::unique_ptr<AgentMessageHandler>& stream = streams[frame->stream];
    if (stream == nullptr) stream = controller.NewStream();
    if (!stream->Handle(msg).ok()) {
      controller.EndStream(*stream);
      stream.reset();
    }
  }

  // Bounds the window promises, whatever the agents sent.
  const HealthWindow& health = controller.health;
  if (health.BytesKept() > health.max_bytes()) __builtin_trap();
  for (const auto& stream : streams) {
    if (stream == nullptr || stream->host().empty()) continue;
    const std::string& host = stream->host();
    if (!controller.tracker.Connected(host)) __builtin_trap();
    if (health.BytesKept(host) > HealthWindow::MaxBytesPerHost(host.size())) {
      __builtin_trap();
    }
  }
  for (auto& stream : streams) {
    if (stream != nullptr) controller.EndStream(*stream);
  }
  return 0;
}
