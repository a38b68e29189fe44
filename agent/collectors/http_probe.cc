#include "agent/collectors/http_probe.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace swell::agent {

HttpProbe::HttpProbe(CollectorSpec spec) : spec_(std::move(spec)) {}

std::vector<swell::v1::Sample> HttpProbe::Collect(
    const std::atomic<bool>& cancel) {
  const absl::Time start = absl::Now();
  absl::StatusOr<common::HttpResponse> response =
      common::HttpGet(spec_.url, spec_.timeout, &cancel);
  const absl::Time end = absl::Now();
  swell::v1::Sample up;
  up.set_name(spec_.name + "_up");
  up.set_unix_ms(absl::ToUnixMillis(end));
  swell::v1::Sample latency;
  latency.set_name(spec_.name + "_latency_ms");
  latency.set_unix_ms(absl::ToUnixMillis(end));
  if (!response.ok()) {
    std::string error =
        absl::StrCat("GET ", spec_.url_text, ": ", response.status().message());
    for (swell::v1::Sample* s : {&up, &latency}) {
      s->set_ok(false);
      s->set_error(error);
    }
  } else {
    up.set_ok(true);
    up.set_value(response->status >= 200 && response->status <= 399 ? 1 : 0);
    latency.set_ok(true);
    latency.set_value(absl::ToDoubleMilliseconds(end - start));
  }
  return {std::move(up), std::move(latency)};
}

}  // namespace swell::agent
