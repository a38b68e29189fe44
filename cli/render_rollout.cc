#include "cli/render_rollout.h"

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cli/format.h"

namespace swell::cli {
namespace {

constexpr int kShownVerdicts = 10;
constexpr int kShownEvents = 10;
constexpr int kShownFailedHosts = 20;
constexpr int kShownOutputLines = 20;

std::string Indent(absl::string_view text, int n) {
  std::string out;
  const std::string pad(n, ' ');
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (line.empty()) continue;
    absl::StrAppend(&out, pad, line, "\n");
  }
  return out;
}

// The last `n` items of `items` after sorting by `at`.
template <typename T, typename At>
std::vector<T> Latest(const google::protobuf::RepeatedPtrField<T>& items,
                      size_t n, At at) {
  std::vector<T> sorted(items.begin(), items.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [&](const T& a, const T& b) { return at(a) < at(b); });
  if (sorted.size() > n) sorted.erase(sorted.begin(), sorted.end() - n);
  return sorted;
}

std::string WavePhaseCell(const v1::WaveStatus& w, absl::Time now) {
  std::string phase = w.phase().empty() ? "-" : w.phase();
  if (NormalizedState(w.phase()) == "baking" && w.bake_ends_unix_ms() > 0) {
    absl::StrAppend(&phase, ", bake ends ",
                    FormatRelative(w.bake_ends_unix_ms(), now));
  }
  return phase;
}

// "1 failed, of 6"; after a rollback "1 failed, then all 6 rolled back, of
// 6" or "1 failed, 4 rolled back, of 6". A host that failed counts as failed
// also once it is rolled back.
std::string FailedAndRolledBack(const v1::RolloutSummary& s) {
  std::string out = absl::StrCat(s.hosts_failed(), " failed");
  const int rolled_back = s.hosts_rolled_back();
  if (rolled_back > 0 && rolled_back == s.hosts_admitted()) {
    absl::StrAppend(&out, ", then all ", rolled_back, " rolled back");
  } else if (rolled_back > 0) {
    absl::StrAppend(&out, ", ", rolled_back, " rolled back");
  }
  return out;
}

// Why a host failed, for the failed hosts list: its kept failure (or, from
// a controller that keeps none, its message), then what happened since
// when it is still failed for another reason (its rollback failed).
std::string WhyFailed(const v1::RolloutHostStatus& h) {
  if (h.failure().empty()) return OneLine(h.message());
  if (NormalizedState(h.state()) == "failed" && h.message() != h.failure()) {
    return absl::StrCat(OneLine(h.failure()), "; then: ", OneLine(h.message()));
  }
  return OneLine(h.failure());
}

std::string Title(const v1::RolloutSummary& s) {
  return absl::StrCat("rollout ", s.id(), s.name().empty() ? "" : "  ",
                      s.name(), "\n");
}

}  // namespace

std::string NormalizedState(absl::string_view state) {
  std::string out = absl::AsciiStrToLower(absl::StripAsciiWhitespace(state));
  std::replace_if(
      out.begin(), out.end(), [](char c) { return c == '-' || c == ' '; }, '_');
  return out;
}

std::string WaveCell(const v1::RolloutSummary& s) {
  if (s.wave_count() <= 0) return "-";
  const int shown = std::clamp(s.current_wave() + 1, 1, s.wave_count());
  std::string cell = absl::StrCat(shown, "/", s.wave_count());
  if (NormalizedState(s.state()) == "running" && !s.wave_phase().empty()) {
    absl::StrAppend(&cell, " ", s.wave_phase());
  }
  return cell;
}

std::string HostsCell(const v1::RolloutSummary& s) {
  std::string cell = absl::StrCat(s.hosts_converged(), "/", s.hosts_admitted(),
                                  "/", s.hosts_total());
  if (s.hosts_failed() > 0)
    absl::StrAppend(&cell, ", ", s.hosts_failed(), " failed");
  if (s.hosts_rolled_back() > 0)
    absl::StrAppend(&cell, ", ", s.hosts_rolled_back(), " rolled back");
  return cell;
}

std::string RenderRolloutTable(const v1::ListRolloutsResponse& list,
                               absl::Time now) {
  Table table({"ID", "NAME", "VARIABLE", "STATE", "WAVE", "HOSTS", "AGE"});
  for (const v1::RolloutSummary& s : list.rollouts()) {
    table.AddRow({s.id(), s.name(), s.variable(), s.state(), WaveCell(s),
                  HostsCell(s), FormatAge(s.created_unix_ms(), now)});
  }
  return table.Render();
}

std::string RenderRolloutStatus(const v1::RolloutStatus& status,
                                absl::Time now) {
  const v1::RolloutSummary& s = status.summary();
  std::string out = Title(s);
  Table facts({"", ""});
  facts.AddRow({"variable", s.variable()});
  facts.AddRow({"state", absl::StrCat(s.state(), ", wave ", WaveCell(s))});
  if (!s.reason().empty()) facts.AddRow({"reason", OneLine(s.reason())});
  facts.AddRow({"hosts", absl::StrCat(s.hosts_converged(), " converged, ",
                                      s.hosts_admitted(), " admitted, ",
                                      FailedAndRolledBack(s), ", of ",
                                      s.hosts_total())});
  facts.AddRow(
      {"created",
       absl::StrCat(FormatAge(s.created_unix_ms(), now), " ago, updated ",
                    FormatAge(s.updated_unix_ms(), now), " ago")});
  if (s.seed() != 0) {  // 0: submitted before seeds were kept
    facts.AddRow({"seed", absl::StrCat(s.seed(), " (preview --seed ", s.seed(),
                                       " redraws these waves from the same "
                                       "fleet)")});
  }
  // The header row of `facts` is empty; skip it.
  std::string facts_text = facts.Render();
  out += Indent(facts_text.substr(facts_text.find('\n') + 1), 2);

  if (status.waves_size() > 0) {
    Table waves({"WAVE", "SIZE", "ADMITTED", "CONVERGED", "FAILED",
                 "ROLLED BACK", "PHASE"});
    for (const v1::WaveStatus& w : status.waves()) {
      waves.AddRow({absl::StrCat(w.index() + 1), absl::StrCat(w.size()),
                    absl::StrCat(w.admitted()), absl::StrCat(w.converged()),
                    absl::StrCat(w.failed()), absl::StrCat(w.rolled_back()),
                    WavePhaseCell(w, now)});
    }
    absl::StrAppend(&out, "\n", waves.Render());
  }

  if (status.verdicts_size() > 0) {
    const auto latest = Latest(status.verdicts(), kShownVerdicts,
                               [](const auto& v) { return v.at_unix_ms(); });
    absl::StrAppend(&out, "\ngate verdicts (latest ", latest.size(), " of ",
                    status.verdicts_size(), "):\n");
    Table verdicts({"", "", "", "", ""});
    for (const v1::GateVerdictRecord& v : latest) {
      verdicts.AddRow({FormatRelative(v.at_unix_ms(), now),
                       absl::StrCat("wave ", v.wave() + 1), v.gate(),
                       absl::AsciiStrToUpper(v.verdict()),
                       OneLine(v.summary())});
    }
    out += Indent(verdicts.Render(), 2);
  }

  // Hosts that failed at any point, also those a rollback returned since
  // (their state says where they are now).
  std::vector<const v1::RolloutHostStatus*> failed;
  for (const v1::RolloutHostStatus& h : status.hosts()) {
    if (!h.failure().empty() || NormalizedState(h.state()) == "failed") {
      failed.push_back(&h);
    }
  }
  if (!failed.empty()) {
    absl::StrAppend(&out, "\nfailed hosts (", failed.size(), "):\n");
    Table hosts({"", "", "", ""});
    for (size_t i = 0; i < failed.size() && i < kShownFailedHosts; ++i) {
      hosts.AddRow({failed[i]->host_id(),
                    absl::StrCat("wave ", failed[i]->wave() + 1),
                    failed[i]->state(), WhyFailed(*failed[i])});
    }
    out += Indent(hosts.Render(), 2);
    if (failed.size() > kShownFailedHosts) {
      absl::StrAppend(&out, "  ... and ", failed.size() - kShownFailedHosts,
                      " more (swellctl status ", s.id(), " -o json)\n");
    }
  }

  if (status.events_size() > 0) {
    absl::StrAppend(&out, "\nrecent events:\n");
    Table events({"", "", "", ""});
    for (const v1::AuditEventRecord& e :
         Latest(status.events(), kShownEvents,
                [](const auto& e) { return e.at_unix_ms(); })) {
      events.AddRow({FormatRelative(e.at_unix_ms(), now),
                     e.actor().empty() ? "-" : e.actor(), e.action(),
                     OneLine(e.reason())});
    }
    out += Indent(events.Render(), 2);
  }
  return out;
}

std::string RenderRolloutHost(const v1::RolloutStatus& status,
                              absl::string_view host_id) {
  for (const v1::RolloutHostStatus& h : status.hosts()) {
    if (h.host_id() != host_id) continue;
    std::string out = absl::StrCat("host ", h.host_id(), " in rollout ",
                                   status.summary().id(), "\n");
    Table facts({"", ""});
    facts.AddRow({"wave", absl::StrCat(h.wave() + 1)});
    facts.AddRow({"state", h.state()});
    facts.AddRow({"message", h.message().empty() ? "-" : OneLine(h.message())});
    facts.AddRow({"previous", h.previous_present() ? "present" : "absent"});
    std::string facts_text = facts.Render();
    out += Indent(facts_text.substr(facts_text.find('\n') + 1), 2);
    if (!h.output_tail().empty()) {
      std::vector<absl::string_view> lines =
          absl::StrSplit(h.output_tail(), '\n');
      while (!lines.empty() && lines.back().empty()) lines.pop_back();
      const size_t first = lines.size() > kShownOutputLines
                               ? lines.size() - kShownOutputLines
                               : 0;
      absl::StrAppend(&out, "\noutput (last ", lines.size() - first,
                      " lines):\n");
      for (size_t i = first; i < lines.size(); ++i) {
        absl::StrAppend(&out, "  | ", lines[i], "\n");
      }
    }
    return out;
  }
  return "";
}

}  // namespace swell::cli
