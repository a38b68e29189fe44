#include "controller/plan/gate_check.h"

#include <array>
#include <cmath>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "controller/plan/absl_view.h"

namespace swell::controller {
namespace {

using plan_internal::AbslView;

constexpr std::string_view kFailedHosts = "failed_hosts";
constexpr std::string_view kFraction = "fraction";
constexpr std::array<Aggregate, 6> kAggregates = {
    Aggregate::kMin, Aggregate::kMax, Aggregate::kMean,
    Aggregate::kP50, Aggregate::kP95, Aggregate::kP99};
// Two-character operators first, so "<=" is not read as "<".
constexpr std::array<Comparison, 6> kComparisons = {
    Comparison::kLe, Comparison::kGe, Comparison::kEq,
    Comparison::kNe, Comparison::kLt, Comparison::kGt};

bool IsMetricStart(char c) {
  return absl::ascii_isalpha(c) || c == '_' || c == ':';
}
bool IsMetricChar(char c) { return IsMetricStart(c) || absl::ascii_isdigit(c); }

absl::Status Expected(std::string_view what, std::string_view rest) {
  return absl::InvalidArgumentError(
      rest.empty() ? absl::StrCat("expected ", AbslView(what), ", got nothing")
                   : absl::StrCat("expected ", AbslView(what), ", got '",
                                  AbslView(rest), "'"));
}

// Reads tokens off the front of the expression.
class Tokens {
 public:
  explicit Tokens(std::string_view text) : rest_(text) {}

  std::string_view rest() {
    while (!rest_.empty() && absl::ascii_isspace(rest_.front())) {
      rest_.remove_prefix(1);
    }
    return rest_;
  }
  bool Consume(std::string_view token) {
    if (!rest().starts_with(token)) return false;
    rest_.remove_prefix(token.size());
    return true;
  }
  std::string_view Identifier() {
    std::string_view r = rest();
    size_t n = 0;
    if (!r.empty() && IsMetricStart(r[0])) {
      while (n < r.size() && IsMetricChar(r[n])) ++n;
    }
    rest_.remove_prefix(n);
    return r.substr(0, n);
  }
  // Everything up to `stop` (exclusive), or to the end.
  std::string_view Until(char stop) {
    std::string_view r = rest();
    size_t n = std::min(r.find(stop), r.size());
    rest_.remove_prefix(n);
    return r.substr(0, n);
  }

 private:
  std::string_view rest_;
};

// A comparison and the number after it, which is all of `number_text`
// (the rest of the check, or what precedes a ')'). With `percent`, a
// trailing '%' is allowed and reported through it.
struct Bound {
  Comparison op = Comparison::kGe;
  double value = 0;
  bool percent = false;
};

absl::Status ParseBound(Tokens& t, char stop, bool allow_percent, Bound* out) {
  for (Comparison c : kComparisons) {
    if (!t.Consume(ComparisonSymbol(c))) continue;
    out->op = c;
    std::string_view number = t.Until(stop);
    while (!number.empty() && absl::ascii_isspace(number.back())) {
      number.remove_suffix(1);
    }
    std::string_view digits = number;
    out->percent = allow_percent && digits.ends_with('%');
    if (out->percent) digits.remove_suffix(1);
    if (!absl::SimpleAtod(AbslView(digits), &out->value) ||
        !std::isfinite(out->value) ||
        (out->percent && (out->value < 0 || out->value > 100))) {
      return Expected(
          absl::StrCat(
              out->percent ? "a percentage from 0% to 100%" : "a number",
              " after '", AbslView(ComparisonSymbol(c)), "'"),
          number);
    }
    return absl::OkStatus();
  }
  return Expected("a comparison (<, <=, >, >=, ==, !=)", t.rest());
}

absl::Status ParseFraction(Tokens& t, GateSpec* gate) {
  if (!t.Consume("(")) return Expected("'(' after 'fraction'", t.rest());
  std::string_view metric = t.Identifier();
  if (metric.empty()) {
    return Expected("a metric name like app_healthy", t.rest());
  }
  Bound host;
  if (absl::Status s = ParseBound(t, ')', false, &host); !s.ok()) return s;
  if (!t.Consume(")")) return Expected("')' after the condition", t.rest());
  Bound share;
  if (absl::Status s = ParseBound(t, '\0', true, &share); !s.ok()) return s;
  if (share.percent) share.value /= 100;
  if (share.value < 0 || share.value > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("a fraction of hosts is from 0 to 1 (or 0% to 100%), got ",
                     share.value));
  }
  gate->kind = GateKind::kFraction;
  gate->metric = std::string(metric);
  gate->host_op = host.op;
  gate->host_threshold = host.value;
  gate->op = share.op;
  gate->threshold = share.value;
  return absl::OkStatus();
}

absl::Status ParseAggregate(std::string_view head, Tokens& t, GateSpec* gate) {
  bool known = false;
  for (Aggregate a : kAggregates) {
    if (head == AggregateName(a)) {
      gate->aggregate = a;
      known = true;
    }
  }
  if (!known) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown aggregate '", AbslView(head),
        "'; expected one of min, max, mean, p50, p95, p99, fraction, or "
        "failed_hosts"));
  }
  if (!t.Consume("(")) {
    return Expected(absl::StrCat("'(' after '", AbslView(head), "'"), t.rest());
  }
  std::string_view metric = t.Identifier();
  if (metric.empty()) {
    return Expected("a metric name like app_healthy", t.rest());
  }
  if (!t.Consume(")")) return Expected("')' after the metric", t.rest());
  Bound bound;
  if (absl::Status s = ParseBound(t, '\0', false, &bound); !s.ok()) return s;
  gate->kind = GateKind::kMetric;
  gate->metric = std::string(metric);
  gate->op = bound.op;
  gate->threshold = bound.value;
  return absl::OkStatus();
}

}  // namespace

absl::Status ParseGateCheck(std::string_view check, GateSpec* gate) {
  Tokens t(check);
  std::string_view head = t.Identifier();
  absl::Status status;
  if (head == kFailedHosts && !t.rest().starts_with("(")) {
    Bound bound;
    status = ParseBound(t, '\0', true, &bound);
    gate->kind = GateKind::kFailedHosts;
    gate->metric.clear();
    gate->op = bound.op;
    gate->threshold = bound.value;
    gate->threshold_percent = bound.percent;
  } else if (head == kFraction) {
    status = ParseFraction(t, gate);
  } else if (head.empty()) {
    status =
        Expected("a check like 'min(app_healthy) >= 1' or 'failed_hosts <= 0'",
                 t.rest());
  } else {
    status = ParseAggregate(head, t, gate);
  }
  if (!status.ok()) return status;
  gate->check = std::string(check);
  return absl::OkStatus();
}

}  // namespace swell::controller
