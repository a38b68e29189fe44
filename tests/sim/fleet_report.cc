#include "tests/sim/fleet_report.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace swell::sim {
namespace {

double PerSecond(uint64_t now, uint64_t before, absl::Duration elapsed) {
  const double seconds = absl::ToDoubleSeconds(elapsed);
  return seconds <= 0 || now < before
             ? 0
             : static_cast<double>(now - before) / seconds;
}

}  // namespace

std::string ProgressLine(const FleetSnapshot& now, const FleetSnapshot& before,
                         absl::Duration elapsed) {
  return absl::StrFormat(
      "connected %d/%d (started %d), attempts %d (%d failed), health "
      "%.0f/s, desired "
      "received %d (+%.0f/s), applies %d ok %d failed, dropped %d, "
      "flaps %d, crashes %d",
      now.connected, now.hosts, now.started, now.attempts, now.failed_attempts,
      PerSecond(now.health_reports, before.health_reports, elapsed),
      now.desired_received,
      PerSecond(now.desired_received, before.desired_received, elapsed),
      now.applies_ok, now.applies_failed, now.dropped, now.flaps, now.crashes);
}

std::string StatusJson(const FleetSnapshot& now, const FleetSnapshot& before,
                       absl::Duration elapsed) {
  std::vector<std::string> faulty;
  for (const auto& [name, hosts] : now.faulty) {
    faulty.push_back(absl::StrCat("\"", name, "\":", hosts));
  }
  return absl::StrCat(
      "{\"unix_ms\":", now.unix_ms, ",\"hosts\":", now.hosts,
      ",\"started\":", now.started, ",\"connected\":", now.connected,
      ",\"attempts\":", now.attempts,
      ",\"desired_received\":", now.desired_received,
      ",\"health_reports\":", now.health_reports, ",\"health_per_second\":",
      absl::StrFormat("%.1f", PerSecond(now.health_reports,
                                        before.health_reports, elapsed)),
      ",\"apply_results\":", now.apply_results,
      ",\"applies_ok\":", now.applies_ok,
      ",\"applies_failed\":", now.applies_failed, ",\"flaps\":", now.flaps,
      ",\"crashes\":", now.crashes,
      ",\"first_unhealthy_ms\":", now.first_unhealthy_ms,
      ",\"failed_attempts\":", now.failed_attempts,
      ",\"dropped\":", now.dropped, ",\"faulty\":{", absl::StrJoin(faulty, ","),
      "}}\n");
}

std::string ArrivalsCsv(const std::vector<ArrivalRow>& rows) {
  std::string out = "host,generation,arrival_unix_ms,enforced\n";
  for (const ArrivalRow& r : rows) {
    absl::StrAppend(&out, r.host_id, ",", r.arrival.generation, ",",
                    r.arrival.unix_ms, ",",
                    EnforcedValuesName(r.arrival.enforced), "\n");
  }
  return out;
}

}  // namespace swell::sim
