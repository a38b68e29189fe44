#include "agent/collectors/prometheus_collector.h"

#include <cmath>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace swell::agent {
namespace {

swell::v1::Sample Stamped(const std::string& name) {
  swell::v1::Sample s;
  s.set_name(name);
  s.set_unix_ms(absl::ToUnixMillis(absl::Now()));
  return s;
}

std::vector<swell::v1::Sample> Failed(const std::string& name,
                                      absl::string_view error) {
  swell::v1::Sample s = Stamped(name);
  s.set_ok(false);
  s.set_error(std::string(error));
  return {std::move(s)};
}

}  // namespace

std::optional<double> RateTracker::Update(double value, absl::Time at) {
  std::optional<double> rate;
  if (last_value_.has_value() && value >= *last_value_ && at > last_at_) {
    rate = (value - *last_value_) / absl::ToDoubleSeconds(at - last_at_);
  }
  if (!last_value_.has_value() || value < *last_value_ || at > last_at_) {
    last_value_ = value;
    last_at_ = at;
  }
  return rate;
}

PrometheusCollector::PrometheusCollector(CollectorSpec spec)
    : spec_(std::move(spec)) {}

std::vector<swell::v1::Sample> PrometheusCollector::Collect(
    const std::atomic<bool>& cancel) {
  absl::StatusOr<common::HttpResponse> response =
      common::HttpGet(spec_.url, spec_.timeout, &cancel);
  if (!response.ok()) {
    return Failed(spec_.name, absl::StrCat("GET ", spec_.url_text, ": ",
                                           response.status().message()));
  }
  const absl::Time at = absl::Now();
  if (response->status < 200 || response->status > 299) {
    return Failed(spec_.name, absl::StrCat("GET ", spec_.url_text, ": status ",
                                           response->status));
  }
  absl::StatusOr<std::vector<PromSeries>> series =
      ParsePromText(response->body);
  if (!series.ok()) return Failed(spec_.name, series.status().message());
  absl::StatusOr<double> sum = SumMatching(*series, spec_.selector);
  if (!sum.ok()) return Failed(spec_.name, sum.status().message());
  if (!std::isfinite(*sum)) {
    return Failed(spec_.name,
                  absl::StrCat(spec_.selector.metric, " is ", *sum));
  }
  double value = *sum;
  if (spec_.rate) {
    absl::MutexLock lock(&mu_);
    std::optional<double> rate = rate_.Update(*sum, at);
    if (!rate.has_value()) return {};
    value = *rate;
  }
  swell::v1::Sample s = Stamped(spec_.name);
  s.set_ok(true);
  s.set_value(value);
  return {std::move(s)};
}

}  // namespace swell::agent
