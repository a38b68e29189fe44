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

 private:
  std::string_view rest_;
};

absl::Status ParseComparison(Tokens& t, GateSpec* gate) {
  for (Comparison c : kComparisons) {
    if (t.Consume(ComparisonSymbol(c))) {
      gate->op = c;
      double threshold = 0;
      std::string_view number = t.rest();
      if (!absl::SimpleAtod(AbslView(number), &threshold) ||
          !std::isfinite(threshold)) {
        return Expected(absl::StrCat("a number after '",
                                     AbslView(ComparisonSymbol(c)), "'"),
                        number);
      }
      gate->threshold = threshold;
      return absl::OkStatus();
    }
  }
  return Expected("a comparison (<, <=, >, >=, ==, !=)", t.rest());
}

}  // namespace

absl::Status ParseGateCheck(std::string_view check, GateSpec* gate) {
  Tokens t(check);
  std::string_view head = t.Identifier();
  if (head == kFailedHosts && !t.rest().starts_with("(")) {
    gate->kind = GateKind::kFailedHosts;
    gate->metric.clear();
  } else {
    if (head.empty()) {
      return Expected(
          "a check like 'min(app_healthy) >= 1' or 'failed_hosts <= 0'",
          t.rest());
    }
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
          "'; expected one of min, max, mean, p50, p95, p99, or failed_hosts"));
    }
    if (!t.Consume("(")) {
      return Expected(absl::StrCat("'(' after '", AbslView(head), "'"),
                      t.rest());
    }
    std::string_view metric = t.Identifier();
    if (metric.empty()) {
      return Expected("a metric name like app_healthy", t.rest());
    }
    if (!t.Consume(")")) return Expected("')' after the metric", t.rest());
    gate->kind = GateKind::kMetric;
    gate->metric = std::string(metric);
  }
  if (absl::Status s = ParseComparison(t, gate); !s.ok()) return s;
  gate->check = std::string(check);
  return absl::OkStatus();
}

}  // namespace swell::controller
