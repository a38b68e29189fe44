#pragma once

// What a Store can hold, and the one encoding of times both stores share.
//
// PostgreSQL decides what can be stored: text columns take valid UTF-8
// without NUL bytes, jsonb takes JSON, timestamptz keeps microseconds.
// MemoryStore applies the same rules so that it accepts, rejects and rounds
// exactly as PostgresStore does; the conformance suite pins that.

#include <cstdint>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "controller/rollout/model.h"
#include "swell/v1/types.pb.h"

namespace swell::controller {

// Microseconds since the Unix epoch, rounded toward the infinite past;
// InfinitePast() is INT64_MIN and InfiniteFuture() is INT64_MAX.
int64_t TimeToMicros(absl::Time t);
absl::Time TimeFromMicros(int64_t micros);

// `t` as a store returns it: truncated to the microsecond.
absl::Time StoredTime(absl::Time t);

// A Value as a store returns it: only `present` and `data` survive.
swell::v1::Value StoredValue(const swell::v1::Value& v);

bool IsValidUtf8(std::string_view text);

// kInvalidArgument naming the field when `m` holds something no store can
// transmit faithfully: a NUL byte in a text field (libpq ends text
// parameters there), or a finite time outside the years 1 to 9999 UTC.
[[nodiscard]] absl::Status CheckTransmittable(const Mutation& m);

// CheckTransmittable, plus what PostgreSQL itself refuses: text that is not
// UTF-8, and verdict evidence that is neither empty nor a JSON document.
// Relations between records (a rollout host's rollout must exist) are not
// checked here.
[[nodiscard]] absl::Status CheckStorable(const Mutation& m);

// kInvalidArgument when `text` cannot be a text-column value or query
// parameter (NUL byte, or not UTF-8).
[[nodiscard]] absl::Status CheckText(std::string_view field,
                                     std::string_view text);

// Like CheckText, but only the NUL byte that libpq cannot transmit.
[[nodiscard]] absl::Status CheckNoNul(std::string_view field,
                                      std::string_view text);

}  // namespace swell::controller
