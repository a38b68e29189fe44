#pragma once

// The framing of the agent_message fuzzer's input, shared with the seed
// generator: a sequence of frames, each
//   byte 0:    bits 0-1: which of kStreams streams sends the message;
//              bits 2-7: n, the controller's clock moves n*n seconds first
//              (up to about 65 minutes, past the health window's sweeps);
//   bytes 1-2: the message's length, little-endian;
//   then the serialized swell.v1.AgentMessage (cut short at the input's
//   end).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/time/time.h"

namespace swell::fuzz {

inline constexpr size_t kStreams = 4;

struct Frame {
  size_t stream = 0;
  absl::Duration advance;
  std::string_view message;
};

// Takes the next frame off the front of `input`; nullopt at its end.
inline std::optional<Frame> NextFrame(std::string_view& input) {
  if (input.size() < 3) return std::nullopt;
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(input[i]); };
  Frame f;
  f.stream = byte(0) & 3;
  const int64_t n = byte(0) >> 2;
  f.advance = absl::Seconds(n * n);
  const size_t length = byte(1) | (size_t{byte(2)} << 8);
  input.remove_prefix(3);
  f.message = input.substr(0, length);
  input.remove_prefix(f.message.size());
  return f;
}

// One frame: the inverse of NextFrame. `message` is at most 65535 bytes.
inline std::string EncodeFrame(size_t stream, int seconds_root,
                               std::string_view message) {
  std::string out;
  out.push_back(static_cast<char>((stream & 3) | (seconds_root << 2)));
  out.push_back(static_cast<char>(message.size() & 0xff));
  out.push_back(static_cast<char>((message.size() >> 8) & 0xff));
  out.append(message);
  return out;
}

}  // namespace swell::fuzz
