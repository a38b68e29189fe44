#include "cli/command_table.h"

#include "cli/completion.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace swell::cli {
namespace {

FlagSpec Reason(absl::string_view help) {
  return {"reason", 0, true, "R", std::string(help)};
}

FlagSpec Seed(absl::string_view help) {
  return {"seed", 0, true, "N", std::string(help)};
}

std::vector<CommandInfo> BuildCommands() {
  std::vector<CommandInfo> c;
  c.push_back(
      {{"submit",
        {Reason("why this change (stored in the audit trail)"),
         Seed("order hosts with seed N, as 'preview --seed N' showed "
              "(default: the plan's own, which preview prints)")},
        1,
        1},
       "submit PLAN.yaml [--reason R] [--seed N]",
       "check a plan, submit it, print the rollout id",
       "Reads PLAN.yaml ('-' for standard input) and validates it with "
       "the controller's own parser first: every problem is printed, "
       "one per line as FILE:LINE:COL: FIELD: MESSAGE, and nothing is "
       "sent (exit 2). A valid plan is submitted; its waves are frozen "
       "at that moment, drawn with the same seed as 'swellctl preview' "
       "of the plan (or --seed N), so they are the waves preview showed "
       "if the fleet has not changed since. The rollout id alone is "
       "printed on stdout, so scripts can capture it.",
       "swellctl submit plan.yaml --reason \"CHG-1234 new daemon.json\"\n"
       "id=$(swellctl submit plan.yaml) && swellctl watch \"$id\"",
       &RunSubmit});
  c.push_back({{"preview",
                {Seed("draw the order with seed N instead of the plan's "
                      "default")},
                1,
                1},
               "preview PLAN.yaml [--seed N]",
               "show a plan's waves, gates and earliest finish",
               "Validates PLAN.yaml locally like submit, then asks the "
               "controller which hosts each wave would take from the current "
               "fleet: host counts by site and role, the hosts, the bake, the "
               "gates and the earliest finish if every gate passes at once. "
               "Within each failure domain hosts are ordered by a seed, "
               "printed with the waves: by default the plan's own (a hash of "
               "its variable and new value), which a plain submit uses too; "
               "--seed N draws another order, and 'submit --seed N' takes "
               "it. Changes nothing.",
               "swellctl preview plan.yaml\nswellctl preview plan.yaml -o json"
               "\nswellctl preview plan.yaml --seed 7 && swellctl submit "
               "plan.yaml --seed 7",
               &RunPreview});
  c.push_back({{"plan", {}, 2, 2},
               "plan check PLAN.yaml",
               "check a plan locally; contacts nothing",
               "Parses and validates PLAN.yaml ('-' for standard input) with "
               "the controller's own parser and prints every problem, one per "
               "line as FILE:LINE:COL: FIELD: MESSAGE (exit 2), or a one-line "
               "summary. With -o json, one object instead: file, ok, errors "
               "(line, column, field, message each) and, when valid, name, "
               "variable, waves and gates. Needs no controller: use it in "
               "editors and CI.",
               "swellctl plan check plan.yaml\n"
               "swellctl plan check plan.yaml -o json | jq '.errors[]'",
               &RunPlanCheck});
  c.push_back(
      {{"list", {{"all", 0, false, "", "include finished rollouts"}}, 0, 0},
       "list [--all]",
       "list active rollouts (--all: every one)",
       "One row per rollout: ID, NAME, VARIABLE, STATE, WAVE (current "
       "wave of the total, and its phase while running), HOSTS "
       "(converged/admitted/total, and how many failed), AGE.",
       "swellctl list\nswellctl list --all -o json",
       &RunList});
  c.push_back({{"status",
                {{"host", 0, true, "H", "show one host of the rollout"}},
                1,
                1},
               "status ID [--host H]",
               "a rollout's waves, verdicts, failures, events",
               "Shows the rollout's state, each wave's host counts and phase, "
               "the latest gate verdicts in words with their time and wave, "
               "the hosts that failed with their messages, and recent audit "
               "events. With --host, that host's state, last message and the "
               "tail of its apply output.",
               "swellctl status r-1a2b3c4d\nswellctl status r-1a2b3c4d --host "
               "web-ams1-07",
               &RunStatus});
  c.push_back({{"watch",
                {{"interval", 0, true, "D", "time between polls (default 1s)"}},
                1,
                1},
               "watch ID [--interval 1s]",
               "follow a rollout live until it ends or stops",
               "Polls the rollout and shows each wave with a progress bar "
               "(# converged, ! failed, ~ applying, . not yet admitted), the "
               "host counts and the latest verdicts. On a terminal the screen "
               "is redrawn in place; otherwise a line is printed only when "
               "something changed. Ends when the rollout succeeds (exit 0), "
               "is rolled back (exit 1), or is halted or paused (exit 3). "
               "With -o json, prints the final status as one JSON document.",
               "swellctl watch r-1a2b3c4d\nswellctl watch r-1a2b3c4d "
               "--interval 5s > rollout.log",
               &RunWatch});
  c.push_back(
      {{"halt",
        {Reason("why (required)"),
         {"all", 0, false, "", "freeze the fleet: halt every running rollout"},
         {"for", 0, true, "D",
          "with --all: lift the freeze by itself after D"}},
        0,
        1},
       "halt ID --reason R | halt --all --reason R [--for D]",
       "halt a rollout, or (--all) freeze the fleet",
       "halt ID stops the rollout's admissions; hosts keep what they "
       "have. halt --all freezes the fleet: every running rollout is "
       "halted and new ones are refused until 'swellctl unfreeze' (or "
       "until --for has passed); it prints which rollouts it halted. "
       "A reason is required: it goes into the audit trail.",
       "swellctl halt r-1a2b3c4d --reason \"error rate up on web\"\n"
       "swellctl halt --all --reason \"INC-77 containers restarting\" --for 2h",
       &RunHalt});
  c.push_back({{"unfreeze", {Reason("why the freeze can end")}, 0, 0},
               "unfreeze [--reason R]",
               "lift the fleet freeze",
               "New rollouts are accepted again. Rollouts the freeze halted "
               "stay halted until resumed one by one.",
               "swellctl unfreeze --reason \"INC-77 resolved\"",
               &RunUnfreeze});
  c.push_back({{"resume", {Reason("why it is safe to go on")}, 1, 1},
               "resume ID [--reason R]",
               "resume a halted or paused rollout",
               "The rollout carries on from the wave it stopped in.",
               "swellctl resume r-1a2b3c4d --reason \"false alarm\"",
               &RunResume});
  c.push_back({{"rollback", {Reason("why (required)")}, 1, 1},
               "rollback ID --reason R",
               "return admitted hosts to their previous values",
               "Sets each admitted host's desired value back to the value it "
               "had before the rollout. A reason is required.",
               "swellctl rollback r-1a2b3c4d --reason \"p95 latency doubled\"",
               &RunRollback});
  c.push_back(
      {{"hosts", {Reason("why (required by retire and revoke)")}, 0, 2},
       "hosts | hosts retire|revoke HOST --reason R | hosts unrevoke HOST",
       "list the fleet's hosts; retire one that is gone; revoke one",
       "One row per host: HOST, SITE, ROLE, its other labels, its STATE, "
       "when it was LAST SEEN, and the GENERATION of its desired state. "
       "STATE is connected, disconnected, stale (its agent has not been "
       "connected for longer than the controller's --host_stale_after, 7 "
       "days by default), retired or revoked. New rollouts (a plan's "
       "selector, even {}) never target a stale, retired or revoked host; "
       "'preview' lists the ones it leaves out. 'hosts retire HOST --reason "
       "R' retires a host that "
       "is gone for good (decommissioned, renamed, a typo): its agent must "
       "not be connected, and no active rollout may still be working on it "
       "(wait for it to end, or roll it back). The reason is kept in the "
       "audit trail. A retired host whose agent connects again comes back "
       "by itself. 'hosts revoke HOST --reason R' (admin) says that the "
       "host's certificate no longer counts (a stolen key, a host being "
       "rebuilt): its agent's stream is ended at once, and every stream of "
       "that host is refused with PERMISSION_DENIED until 'hosts unrevoke "
       "HOST'. STATE is then revoked, and new rollouts do not target it.",
       "swellctl hosts\nswellctl hosts -o json\n"
       "swellctl hosts retire web-ams1-07 --reason \"decommissioned, "
       "CHG-981\"\n"
       "swellctl hosts revoke web-ams1-07 --reason \"key leaked, SEC-12\"\n"
       "swellctl hosts unrevoke web-ams1-07",
       &RunHosts});
  c.push_back(TokenCommandInfo());
  c.push_back(CompletionCommandInfo());
  c.push_back({{"freeze-status", {}, 0, 0},
               "freeze-status",
               "whether the fleet is frozen, by whom, why",
               "Shows whether a freeze is in force, who set it, why, since "
               "when and until when.",
               "swellctl freeze-status",
               &RunFreezeStatus});
  c.push_back({{"help", {}, 0, 1},
               "help [COMMAND]",
               "show this help, or a command's",
               "Same as --help.",
               "swellctl help watch",
               nullptr});
  return c;
}

std::string FlagLine(const FlagSpec& f) {
  std::string names =
      f.short_name
          ? absl::StrCat("-", std::string(1, f.short_name), ", --", f.name)
          : absl::StrCat("--", f.name);
  if (f.takes_value) absl::StrAppend(&names, " ", f.value_name);
  return names;
}

std::string FlagBlock(const std::vector<FlagSpec>& flags) {
  size_t width = 0;
  for (const FlagSpec& f : flags) width = std::max(width, FlagLine(f).size());
  std::string out;
  for (const FlagSpec& f : flags) {
    const std::string line = FlagLine(f);
    absl::StrAppend(&out, "  ", line, std::string(width - line.size() + 3, ' '),
                    f.help, "\n");
  }
  return out;
}

// Wraps a paragraph at 78 columns.
std::string Paragraph(absl::string_view text) {
  std::string out, line;
  for (absl::string_view word : absl::StrSplit(text, ' ', absl::SkipEmpty())) {
    if (!line.empty() && line.size() + 1 + word.size() > 78) {
      absl::StrAppend(&out, line, "\n");
      line.clear();
    }
    absl::StrAppend(&line, line.empty() ? "" : " ", word);
  }
  if (!line.empty()) absl::StrAppend(&out, line, "\n");
  return out;
}

std::string Indented(absl::string_view lines) {
  std::string out;
  for (absl::string_view line :
       absl::StrSplit(lines, '\n', absl::SkipEmpty())) {
    absl::StrAppend(&out, "  ", line, "\n");
  }
  return out;
}

std::vector<FlagSpec> WithHelp() {
  std::vector<FlagSpec> flags = GlobalFlags();
  flags.push_back({"help", 'h', false, "",
                   "this help; 'swellctl COMMAND --help' for a command's"});
  return flags;
}

}  // namespace

const std::vector<FlagSpec>& GlobalFlags() {
  static const auto* flags = new std::vector<FlagSpec>{
      {"controller", 0, true, "ADDR",
       "the controller's API address; replicas: repeat it or give a,b "
       "(default: see Environment)"},
      {"output", 'o', true, "FMT",
       "table (default) or json: one JSON document on stdout"},
      {"timeout", 0, true, "D",
       "deadline of each call, failover included (default 10s)"},
      {"ca", 0, true, "FILE",
       "the CA that verifies the controller (default: SWELL_CA; neither: "
       "plaintext, no token sent)"},
      {"token-file", 0, true, "FILE",
       "read the bearer token from FILE (default: SWELL_TOKEN, else "
       "~/.config/swell/token)"},
  };
  return *flags;
}

const std::vector<CommandInfo>& Commands() {
  static const auto* commands = new std::vector<CommandInfo>(BuildCommands());
  return *commands;
}

std::vector<CommandSyntax> CommandSyntaxes() {
  std::vector<CommandSyntax> out;
  for (const CommandInfo& c : Commands()) out.push_back(c.syntax);
  return out;
}

const CommandInfo* FindCommandInfo(absl::string_view name) {
  for (const CommandInfo& c : Commands()) {
    if (c.syntax.name == name) return &c;
  }
  return nullptr;
}

std::string MainUsage() {
  std::string out =
      "swellctl: submit, watch and stop rollouts on a Swell controller.\n\n"
      "Usage: swellctl [global flags] COMMAND [arguments] [flags]\n\n"
      "Commands:\n";
  size_t width = 0;
  for (const CommandInfo& c : Commands()) {
    width = std::max(width, c.synopsis.size());
  }
  width = std::min<size_t>(width, 30);
  for (const CommandInfo& c : Commands()) {
    if (c.synopsis.size() > width) {
      absl::StrAppend(&out, "  ", c.synopsis, "\n", std::string(width + 4, ' '),
                      c.summary, "\n");
    } else {
      absl::StrAppend(&out, "  ", c.synopsis,
                      std::string(width - c.synopsis.size() + 2, ' '),
                      c.summary, "\n");
    }
  }
  absl::StrAppend(
      &out, "\nGlobal flags (anywhere on the line):\n", FlagBlock(WithHelp()),
      "\nEnvironment:\n"
      "  SWELL_CONTROLLER   default for --controller (a,b for replicas);\n"
      "                     else 127.0.0.1:7072\n"
      "  SWELL_ACTOR        who you say you are to an --insecure controller\n"
      "                     (default $USER); a secure one records your\n"
      "                     token's name in the audit trail instead\n"
      "  SWELL_CA           default for --ca\n"
      "  SWELL_TOKEN        bearer token, unless --token-file is given; else\n"
      "                     ~/.config/swell/token is read when it exists\n",
      "\nExit status:\n"
      "  0  success; watch: the rollout succeeded\n"
      "  1  any other failure; watch: the rollout was rolled back\n"
      "  2  bad usage, unreadable or invalid plan, or input the controller\n"
      "     rejected; nothing was changed\n"
      "  3  watch: the rollout is halted or paused and needs a person\n"
      "  4  the controller could not be reached or did not answer in time,\n"
      "     or its database is away: retry later. Nothing was changed, unless\n"
      "     the error says the request may have been applied\n"
      "  5  refused in the current state: the fleet is frozen, a conflicting\n"
      "     rollout is active, the action does not apply to the rollout now\n"
      "  6  no such rollout or host\n"
      "  7  refused: no valid token (missing, unknown, revoked, expired), or\n"
      "     your token's role may not do this; nothing was changed\n",
      "\nSeveral controller replicas:\n"
      "  Give every address: --controller a:7072,b:7072 or SWELL_CONTROLLER.\n"
      "  A call goes on to the next address when one refuses the connection,\n"
      "  cannot be reached, or is not the leader, pausing between passes\n"
      "  (100ms doubling to 1s, jittered) until --timeout; a read also when\n"
      "  one answers UNAVAILABLE. A change is never sent again once it may\n"
      "  have been applied. The address that answers is kept for the rest of\n"
      "  the command (watch keeps polling it).\n",
      "\nExamples:\n"
      "  swellctl preview plan.yaml\n"
      "  id=$(swellctl submit plan.yaml --reason \"CHG-1234\") && swellctl "
      "watch \"$id\"\n"
      "  swellctl list --all -o json\n"
      "  swellctl halt --all --reason \"INC-77 containers restarting\"\n");
  return out;
}

std::string CommandUsage(const CommandInfo& command) {
  std::string out = absl::StrCat("Usage: swellctl ", command.synopsis, "\n\n",
                                 Paragraph(command.description));
  if (!command.syntax.flags.empty()) {
    absl::StrAppend(&out, "\nFlags:\n", FlagBlock(command.syntax.flags));
  }
  absl::StrAppend(&out, "\nGlobal flags:\n", FlagBlock(GlobalFlags()),
                  "\nExamples:\n", Indented(command.examples),
                  "\nExit statuses: see 'swellctl --help'.\n");
  return out;
}

}  // namespace swell::cli
