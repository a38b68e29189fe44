#include "controller/store/store_values.h"

#include <cstring>
#include <limits>

#include "absl/strings/str_cat.h"
#include "controller/store/json_syntax.h"

namespace swell::controller {
namespace {

constexpr int64_t kPastMicros = std::numeric_limits<int64_t>::min();
constexpr int64_t kFutureMicros = std::numeric_limits<int64_t>::max();

// A check returns why the value cannot be stored, or nullptr.
using TextCheck = const char* (*)(std::string_view);

const char* NulReason(std::string_view text) {
  return std::memchr(text.data(), '\0', text.size()) != nullptr
             ? "contains a NUL byte"
             : nullptr;
}

const char* TextReason(std::string_view text) {
  if (const char* why = NulReason(text)) return why;
  return IsValidUtf8(text) ? nullptr : "is not valid UTF-8";
}

const char* TimeReason(absl::Time t) {
  static const absl::Time kFirst =
      absl::FromCivil(absl::CivilSecond(1, 1, 1, 0, 0, 0), absl::UTCTimeZone());
  static const absl::Time kEnd = absl::FromCivil(
      absl::CivilSecond(10000, 1, 1, 0, 0, 0), absl::UTCTimeZone());
  if (t == absl::InfinitePast() || t == absl::InfiniteFuture()) return nullptr;
  return t < kFirst || t >= kEnd ? "lies outside the years 1 to 9999" : nullptr;
}

absl::Status Invalid(absl::string_view table, size_t index,
                     absl::string_view field, const char* why) {
  return absl::InvalidArgumentError(
      absl::StrCat(table, "[", index, "].", field, " ", why));
}

#define SWELL_CHECK_TEXT(table, i, field, value) \
  if (const char* why = check(value)) return Invalid(table, i, field, why)
#define SWELL_CHECK_TIME(table, i, field, value) \
  if (const char* why = TimeReason(value)) return Invalid(table, i, field, why)

// Applies `check` to every text field of `m`, and the range rule to every
// time.
absl::Status CheckFields(const Mutation& m, TextCheck check) {
  for (size_t i = 0; i < m.hosts.size(); ++i) {
    const Host& h = m.hosts[i];
    SWELL_CHECK_TEXT("hosts", i, "id", h.id);
    SWELL_CHECK_TEXT("hosts", i, "agent_version", h.agent_version);
    for (const auto& [key, value] : h.labels) {
      SWELL_CHECK_TEXT("hosts", i, "labels", key);
      SWELL_CHECK_TEXT("hosts", i, "labels", value);
    }
    SWELL_CHECK_TIME("hosts", i, "first_seen", h.first_seen);
    SWELL_CHECK_TIME("hosts", i, "last_seen", h.last_seen);
    SWELL_CHECK_TIME("hosts", i, "retired_at", h.retired_at);
    SWELL_CHECK_TEXT("hosts", i, "retire_reason", h.retire_reason);
    SWELL_CHECK_TIME("hosts", i, "revoked_at", h.revoked_at);
    SWELL_CHECK_TEXT("hosts", i, "revoke_reason", h.revoke_reason);
  }
  for (size_t i = 0; i < m.rollouts.size(); ++i) {
    const Rollout& r = m.rollouts[i];
    SWELL_CHECK_TEXT("rollouts", i, "id", r.id);
    SWELL_CHECK_TEXT("rollouts", i, "name", r.name);
    SWELL_CHECK_TEXT("rollouts", i, "plan_yaml", r.plan_yaml);
    SWELL_CHECK_TEXT("rollouts", i, "plan_file", r.plan_file);
    SWELL_CHECK_TEXT("rollouts", i, "policy_yaml", r.policy_yaml);
    SWELL_CHECK_TEXT("rollouts", i, "variable", r.variable);
    SWELL_CHECK_TEXT("rollouts", i, "reason", r.reason);
    SWELL_CHECK_TEXT("rollouts", i, "actor", r.actor);
    SWELL_CHECK_TIME("rollouts", i, "phase_started", r.phase_started);
    SWELL_CHECK_TIME("rollouts", i, "created", r.created);
    SWELL_CHECK_TIME("rollouts", i, "updated", r.updated);
  }
  for (size_t i = 0; i < m.rollout_hosts.size(); ++i) {
    const RolloutHost& rh = m.rollout_hosts[i];
    SWELL_CHECK_TEXT("rollout_hosts", i, "rollout_id", rh.rollout_id);
    SWELL_CHECK_TEXT("rollout_hosts", i, "host_id", rh.host_id);
    SWELL_CHECK_TEXT("rollout_hosts", i, "message", rh.message);
    SWELL_CHECK_TEXT("rollout_hosts", i, "failure", rh.failure);
    SWELL_CHECK_TIME("rollout_hosts", i, "updated", rh.updated);
  }
  for (size_t i = 0; i < m.desired.size(); ++i) {
    const HostDesired& d = m.desired[i];
    SWELL_CHECK_TEXT("desired", i, "host_id", d.host_id);
    SWELL_CHECK_TEXT("desired", i, "spec.name", d.spec.name());
    SWELL_CHECK_TEXT("desired", i, "rollout_id", d.rollout_id);
  }
  for (size_t i = 0; i < m.desired_removed.size(); ++i) {
    SWELL_CHECK_TEXT("desired_removed", i, "host", m.desired_removed[i].first);
    SWELL_CHECK_TEXT("desired_removed", i, "variable",
                     m.desired_removed[i].second);
  }
  for (size_t i = 0; i < m.verdicts.size(); ++i) {
    const VerdictRecord& v = m.verdicts[i];
    SWELL_CHECK_TEXT("verdicts", i, "rollout_id", v.rollout_id);
    SWELL_CHECK_TEXT("verdicts", i, "gate", v.gate);
    SWELL_CHECK_TEXT("verdicts", i, "verdict", v.verdict);
    SWELL_CHECK_TEXT("verdicts", i, "summary", v.summary);
    SWELL_CHECK_TEXT("verdicts", i, "evidence_json", v.evidence_json);
    SWELL_CHECK_TIME("verdicts", i, "at", v.at);
  }
  for (size_t i = 0; i < m.audit.size(); ++i) {
    const AuditEvent& a = m.audit[i];
    SWELL_CHECK_TEXT("audit", i, "actor", a.actor);
    SWELL_CHECK_TEXT("audit", i, "action", a.action);
    SWELL_CHECK_TEXT("audit", i, "rollout_id", a.rollout_id);
    SWELL_CHECK_TEXT("audit", i, "reason", a.reason);
    SWELL_CHECK_TIME("audit", i, "at", a.at);
  }
  if (m.freeze.has_value()) {
    SWELL_CHECK_TEXT("freeze", 0, "reason", m.freeze->reason);
    SWELL_CHECK_TEXT("freeze", 0, "actor", m.freeze->actor);
    SWELL_CHECK_TIME("freeze", 0, "since", m.freeze->since);
    SWELL_CHECK_TIME("freeze", 0, "expires", m.freeze->expires);
  }
  return absl::OkStatus();
}

#undef SWELL_CHECK_TEXT
#undef SWELL_CHECK_TIME

}  // namespace

int64_t TimeToMicros(absl::Time t) {
  if (t == absl::InfinitePast()) return kPastMicros;
  if (t == absl::InfiniteFuture()) return kFutureMicros;
  return absl::ToUnixMicros(t);
}

absl::Time TimeFromMicros(int64_t micros) {
  if (micros == kPastMicros) return absl::InfinitePast();
  if (micros == kFutureMicros) return absl::InfiniteFuture();
  return absl::FromUnixMicros(micros);
}

absl::Time StoredTime(absl::Time t) { return TimeFromMicros(TimeToMicros(t)); }

swell::v1::Value StoredValue(const swell::v1::Value& v) {
  swell::v1::Value out;
  out.set_present(v.present());
  out.set_data(v.data());
  return out;
}

bool IsValidUtf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    int extra;
    uint32_t code;
    if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
      code = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      extra = 2;
      code = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
      code = c & 0x07;
    } else {
      return false;  // continuation byte, overlong lead, or beyond U+10FFFF
    }
    if (i + extra >= n) return false;  // truncated sequence
    for (int k = 1; k <= extra; ++k) {
      unsigned char cc = s[i + k];
      if ((cc & 0xC0) != 0x80) return false;
      code = (code << 6) | (cc & 0x3F);
    }
    static constexpr uint32_t kMinForLength[] = {0, 0x80, 0x800, 0x10000};
    if (code < kMinForLength[extra]) return false;  // overlong
    if (code > 0x10FFFF) return false;
    if (code >= 0xD800 && code <= 0xDFFF) return false;  // surrogate
    i += extra + 1;
  }
  return true;
}

absl::Status CheckTransmittable(const Mutation& m) {
  return CheckFields(m, NulReason);
}

absl::Status CheckStorable(const Mutation& m) {
  if (absl::Status s = CheckFields(m, TextReason); !s.ok()) return s;
  for (size_t i = 0; i < m.verdicts.size(); ++i) {
    const std::string& json = m.verdicts[i].evidence_json;
    if (!json.empty() && !IsJsonbDocument(json)) {
      return Invalid("verdicts", i, "evidence_json", "is not a JSON document");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckText(std::string_view field, std::string_view text) {
  if (const char* why = TextReason(text)) {
    return absl::InvalidArgumentError(
        absl::StrCat(absl::string_view(field.data(), field.size()), " ", why));
  }
  return absl::OkStatus();
}

absl::Status CheckNoNul(std::string_view field, std::string_view text) {
  if (const char* why = NulReason(text)) {
    return absl::InvalidArgumentError(
        absl::StrCat(absl::string_view(field.data(), field.size()), " ", why));
  }
  return absl::OkStatus();
}

}  // namespace swell::controller
