#include "cli/render_fleet.h"

#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/format.h"

namespace swell::cli {
namespace {

// "ams1=2, fra1=1", in key order (proto maps have none).
std::vector<std::string> Counts(
    const google::protobuf::Map<std::string, int32_t>& counts) {
  const std::map<std::string, int32_t> sorted(counts.begin(), counts.end());
  std::vector<std::string> items;
  for (const auto& [key, n] : sorted) {
    items.push_back(absl::StrCat(key.empty() ? "(none)" : key, "=", n));
  }
  return items;
}

// "  label  item, item,\n         item\n"
std::string LabelledList(absl::string_view label,
                         const std::vector<std::string>& items, int width) {
  const std::string lead = absl::StrCat("  ", label, "  ");
  if (items.empty()) return absl::StrCat(lead, "-\n");
  std::string out;
  const int indent = static_cast<int>(lead.size());
  std::vector<std::string> lines = WrapList(items, width, indent);
  out += lead;
  for (const std::string& line : lines) absl::StrAppend(&out, line, "\n");
  return out;
}

// How the host takes part: its swell-agent, or the pull API (a pull host's
// hello says agent version "pull", docs/pull-api.md).
std::string Via(const std::string& agent_version) {
  if (agent_version.empty()) return "-";
  return agent_version == "pull" ? "pull API" : "agent";
}

}  // namespace

std::string RenderPreview(const v1::PreviewResponse& preview, int width) {
  int64_t total_hosts = 0;
  for (const v1::PreviewWave& w : preview.waves()) {
    total_hosts += w.hosts_size();
  }
  std::string out = absl::StrCat("plan ", preview.name(), ": variable ",
                                 preview.variable(), "\n");
  absl::StrAppend(
      &out, Plural(preview.waves_size(), "wave", "waves"), ", ",
      Plural(total_hosts, "host", "hosts"), "\nearliest finish: ",
      ShortDuration(absl::Milliseconds(preview.earliest_finish_ms())),
      " after submit, if every gate passes at once\n");
  absl::StrAppend(&out, "seed: ", preview.seed(),
                  preview.seed_is_default()
                      ? absl::StrCat(" (this plan's default: submit, or "
                                     "submit --seed ",
                                     preview.seed(), ", takes these waves")
                      : absl::StrCat(" (submit --seed ", preview.seed(),
                                     " takes these waves"),
                  " while the fleet is unchanged)\n");

  for (const v1::PreviewWave& w : preview.waves()) {
    absl::StrAppend(&out, "\nwave ", w.index() + 1, "  ",
                    Plural(w.hosts_size(), "host", "hosts"), ", bake ",
                    ShortDuration(absl::Milliseconds(w.bake_ms())), "\n");
    out += LabelledList("sites", Counts(w.by_site()), width);
    out += LabelledList("roles", Counts(w.by_role()), width);
    std::vector<std::string> hosts;
    for (int i = 0; i < w.hosts_size() && i < kPreviewHostsPerWave; ++i) {
      hosts.push_back(w.hosts(i));
    }
    if (w.hosts_size() > kPreviewHostsPerWave) {
      hosts.push_back(absl::StrCat(
          "... and ", w.hosts_size() - kPreviewHostsPerWave, " more"));
    }
    out += LabelledList("hosts", hosts, width);
  }

  if (preview.excluded_size() > 0) {
    absl::StrAppend(&out, "\nnot targeted: ",
                    Plural(preview.excluded_size(), "host", "hosts"),
                    " the selector matches\n");
    for (const v1::ExcludedHost& e : preview.excluded()) {
      absl::StrAppend(&out, "  ", e.host_id(), "  ", e.state(), ": ",
                      OneLine(e.reason()), "\n");
    }
  }

  absl::StrAppend(&out, "\ngates\n");
  if (preview.gates_size() == 0) {
    absl::StrAppend(&out, "  (none: waves advance on convergence alone)\n");
  }
  for (const std::string& gate : preview.gates()) {
    absl::StrAppend(&out, "  - ", OneLine(gate), "\n");
  }
  return out;
}

std::string RenderHostsTable(const v1::ListHostsResponse& hosts,
                             absl::Time now) {
  Table table({"HOST", "SITE", "ROLE", "LABELS", "STATE", "LAST SEEN",
               "GENERATION", "VIA"});
  std::vector<std::string> notes;
  bool any_stale = false;
  for (const v1::HostStatus& h : hosts.hosts()) {
    const std::map<std::string, std::string> labels(h.labels().begin(),
                                                    h.labels().end());
    std::vector<std::string> others;
    for (const auto& [key, value] : labels) {
      if (key != "site" && key != "role") {
        others.push_back(absl::StrCat(key, "=", value));
      }
    }
    auto label = [&](const std::string& key) {
      auto it = labels.find(key);
      return it == labels.end() ? std::string("-") : it->second;
    };
    const std::string last_seen =
        h.last_seen_unix_ms() > 0
            ? absl::StrCat(FormatAge(h.last_seen_unix_ms(), now), " ago")
            : "never";
    // A controller from before states were reported sends none.
    const std::string state =
        !h.state().empty() ? h.state()
                           : (h.connected() ? "connected" : "disconnected");
    any_stale |= state == "stale";
    if (state == "revoked") {
      notes.push_back(absl::StrCat(h.host_id(), " revoked ",
                                   FormatAge(h.revoked_unix_ms(), now),
                                   " ago: ", OneLine(h.revoke_reason()),
                                   " (its agent is refused until 'swellctl "
                                   "hosts unrevoke ",
                                   h.host_id(), "')"));
    }
    if (state == "retired") {
      notes.push_back(absl::StrCat(h.host_id(), " retired ",
                                   FormatAge(h.retired_unix_ms(), now),
                                   " ago: ", OneLine(h.retire_reason()),
                                   " (back when its agent connects again)"));
    }
    table.AddRow({h.host_id(), label("site"), label("role"),
                  others.empty() ? "-" : absl::StrJoin(others, ","), state,
                  last_seen, absl::StrCat(h.desired_generation()),
                  Via(h.agent_version())});
  }
  std::string out = table.Render();
  if (any_stale) {
    notes.push_back(absl::StrCat(
        "stale: not connected for more than ",
        hosts.stale_after_ms() > 0
            ? ShortDuration(absl::Milliseconds(hosts.stale_after_ms()))
            : std::string("the controller's --host_stale_after"),
        "; back when its agent connects again"));
  }
  if (!notes.empty()) {
    absl::StrAppend(&out,
                    "\nnew rollouts do not target stale, retired or "
                    "revoked hosts:\n");
    for (const std::string& note : notes)
      absl::StrAppend(&out, "  ", note, "\n");
  }
  return out;
}

std::string RenderFreeze(const v1::FreezeStatus& freeze, absl::Time now) {
  std::string out;
  if (!freeze.frozen()) {
    out = "fleet not frozen: new rollouts are accepted\n";
  } else {
    absl::StrAppend(&out, "fleet FROZEN since ",
                    FormatRelative(freeze.since_unix_ms(), now), " by ",
                    freeze.actor().empty() ? "unknown" : freeze.actor(), ": ",
                    OneLine(freeze.reason()), "\n");
    absl::StrAppend(
        &out, "  ",
        freeze.expires_unix_ms() > 0
            ? absl::StrCat("expires ",
                           FormatRelative(freeze.expires_unix_ms(), now))
            : "until lifted (swellctl unfreeze --reason R)",
        "\n");
  }
  if (freeze.halted_rollouts_size() > 0) {
    absl::StrAppend(
        &out, "halted ",
        Plural(freeze.halted_rollouts_size(), "rollout", "rollouts"), ": ",
        absl::StrJoin(freeze.halted_rollouts(), ", "), "\n");
  }
  return out;
}

}  // namespace swell::cli
