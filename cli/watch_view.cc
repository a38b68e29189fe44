#include "cli/watch_view.h"

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "cli/exit_code.h"
#include "cli/format.h"
#include "cli/render_rollout.h"

namespace swell::cli {
namespace {

constexpr size_t kFrameVerdicts = 5;

const v1::WaveStatus* CurrentWave(const v1::RolloutStatus& status) {
  for (const v1::WaveStatus& w : status.waves()) {
    if (w.index() == status.summary().current_wave()) return &w;
  }
  return nullptr;
}

}  // namespace

std::optional<int> WatchExitCode(absl::string_view state) {
  const std::string s = NormalizedState(state);
  if (s == "succeeded") return kExitOk;
  if (s == "rolled_back") return kExitFailure;
  if (s == "halted" || s == "paused") return kExitStopped;
  return std::nullopt;
}

std::string RenderWatchFrame(const v1::RolloutStatus& status, absl::Time now,
                             int width) {
  const v1::RolloutSummary& s = status.summary();
  std::string out =
      absl::StrCat(s.id(), "  ", s.name(), "  (", s.variable(), ")  ",
                   s.state(), ", wave ", WaveCell(s), "\n");
  absl::StrAppend(&out, "hosts ", HostsCell(s),
                  " (converged/admitted/total)   updated ",
                  FormatAge(s.updated_unix_ms(), now), " ago\n");
  if (!s.reason().empty()) {
    absl::StrAppend(&out, "reason: ", OneLine(s.reason()), "\n");
  }

  const int bar_width = std::clamp(width - 60, 10, 40);
  Table waves({"", "", "", "", ""});
  for (const v1::WaveStatus& w : status.waves()) {
    std::string phase = w.phase();
    if (NormalizedState(w.phase()) == "baking" && w.bake_ends_unix_ms() > 0) {
      absl::StrAppend(&phase, ", bake ends ",
                      FormatRelative(w.bake_ends_unix_ms(), now));
    }
    std::string extra;
    if (w.failed() > 0) extra = absl::StrCat(w.failed(), " failed");
    if (w.rolled_back() > 0) {
      absl::StrAppend(&extra, extra.empty() ? "" : ", ", w.rolled_back(),
                      " rolled back");
    }
    waves.AddRow({absl::StrCat("wave ", w.index() + 1),
                  ProgressBar(w.converged(), w.failed(), w.admitted(), w.size(),
                              bar_width),
                  absl::StrCat(w.converged(), "/", w.size()), phase, extra});
  }
  const std::string rendered = waves.Render();
  absl::StrAppend(&out, "\n", rendered.substr(rendered.find('\n') + 1));

  if (status.verdicts_size() > 0) {
    std::vector<v1::GateVerdictRecord> latest(status.verdicts().begin(),
                                              status.verdicts().end());
    std::stable_sort(latest.begin(), latest.end(),
                     [](const auto& a, const auto& b) {
                       return a.at_unix_ms() < b.at_unix_ms();
                     });
    if (latest.size() > kFrameVerdicts) {
      latest.erase(latest.begin(), latest.end() - kFrameVerdicts);
    }
    absl::StrAppend(&out, "\nlatest verdicts:\n");
    for (const v1::GateVerdictRecord& v : latest) {
      absl::StrAppend(&out, "  ", FormatRelative(v.at_unix_ms(), now), "  ",
                      VerdictLine(v), "\n");
    }
  }
  return out;
}

std::string WatchProgressLine(const v1::RolloutStatus& status) {
  const v1::RolloutSummary& s = status.summary();
  std::string line = absl::StrCat(s.state(), " wave ", WaveCell(s));
  if (const v1::WaveStatus* w = CurrentWave(status)) {
    absl::StrAppend(&line, ": wave ", w->converged(), "/", w->size(),
                    " converged");
    if (w->failed() > 0) absl::StrAppend(&line, ", ", w->failed(), " failed");
    if (w->rolled_back() > 0) {
      absl::StrAppend(&line, ", ", w->rolled_back(), " rolled back");
    }
  }
  absl::StrAppend(&line, "; total ", HostsCell(s));
  if (!s.reason().empty())
    absl::StrAppend(&line, " (", OneLine(s.reason()), ")");
  return line;
}

std::string VerdictKey(const v1::GateVerdictRecord& v) {
  return absl::StrCat(v.wave(), "\x1f", v.gate());
}

std::string VerdictLine(const v1::GateVerdictRecord& v) {
  return absl::StrCat("wave ", v.wave() + 1, " gate ", v.gate(), " ",
                      absl::AsciiStrToUpper(v.verdict()), ": ",
                      OneLine(v.summary()));
}

}  // namespace swell::cli
