// watch: polls GetRollout until the rollout ends or stops for a person.
// On a terminal it redraws one screen in place; otherwise (a log, a CI job)
// it prints a line only when something changed.

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cli/commands.h"
#include "cli/exit_code.h"
#include "cli/render_rollout.h"
#include "cli/watch_view.h"

namespace swell::cli {
namespace {

// How long a watch rides out a controller that went away (a restart, a
// failover) before giving up.
constexpr absl::Duration kOutageBudget = absl::Seconds(60);

bool Transient(const absl::Status& status) {
  return status.code() == absl::StatusCode::kUnavailable ||
         status.code() == absl::StatusCode::kDeadlineExceeded;
}

// Cursor home, each line cleared to its end, the rest of the screen
// cleared: a redraw without flicker.
void Redraw(std::ostream& out, absl::string_view frame) {
  out << "\033[H";
  for (absl::string_view line : absl::StrSplit(frame, '\n')) {
    out << line << "\033[K\n";
  }
  out << "\033[J";
  out.flush();
}

class ChangePrinter {
 public:
  explicit ChangePrinter(Context& ctx) : ctx_(ctx) {}

  void Print(const v1::RolloutStatus& status) {
    const std::string stamp =
        absl::FormatTime("%H:%M:%S", ctx_.clock->Now(), absl::LocalTimeZone());
    const std::string line = WatchProgressLine(status);
    if (line != last_line_) {
      *ctx_.out << stamp << " " << line << "\n";
      last_line_ = line;
    }
    // A gate is evaluated again and again while a wave bakes; say so only
    // when its verdict for a wave changes.
    std::map<std::string, const v1::GateVerdictRecord*> latest;
    for (const v1::GateVerdictRecord& v : status.verdicts()) {
      const v1::GateVerdictRecord*& slot = latest[VerdictKey(v)];
      if (slot == nullptr || slot->at_unix_ms() <= v.at_unix_ms()) slot = &v;
    }
    for (const auto& [key, v] : latest) {
      std::string& shown = shown_verdicts_[key];
      if (shown == v->verdict()) continue;
      shown = v->verdict();
      *ctx_.out << stamp << "   " << VerdictLine(*v) << "\n";
    }
    ctx_.out->flush();
  }

 private:
  Context& ctx_;
  std::string last_line_;
  std::map<std::string, std::string> shown_verdicts_;
};

void PrintOutcome(Context& ctx, const v1::RolloutStatus& status) {
  const v1::RolloutSummary& s = status.summary();
  *ctx.out << "rollout " << s.id() << " " << s.state();
  if (!s.reason().empty()) *ctx.out << ": " << s.reason();
  *ctx.out << "\n";
  const std::string state = NormalizedState(s.state());
  if (state == "halted" || state == "paused") {
    *ctx.out << "  resume:    swellctl resume " << s.id() << " --reason R\n"
             << "  roll back: swellctl rollback " << s.id() << " --reason R\n";
  }
  ctx.out->flush();
}

}  // namespace

int RunWatch(Context& ctx) {
  absl::Duration interval = absl::Seconds(1);
  if (ctx.args->Has("interval") &&
      (!absl::ParseDuration(ctx.args->Get("interval"), &interval) ||
       interval < absl::Milliseconds(100))) {
    *ctx.err << "swellctl: --interval wants a duration of at least 100ms, "
                "such as 1s or 5s, not '"
             << ctx.args->Get("interval") << "'\n";
    return kExitBadInput;
  }

  v1::GetRolloutRequest req;
  req.set_rollout_id(ctx.args->args.at(0));
  ChangePrinter printer(ctx);
  bool seen_once = false;
  bool warned = false;
  absl::Time last_success = absl::Now();
  std::string database_notice;  // the last one printed

  for (;;) {
    absl::StatusOr<v1::RolloutStatus> status = ctx.client->GetRollout(req);
    if (!status.ok()) {
      // A wrong id fails at once, and so does a first poll that no address
      // answers within --timeout; a controller that vanishes mid-watch is
      // waited for, within a budget. Each poll itself goes on to the next
      // address when the one it was watching from is gone.
      if (!seen_once || !Transient(status.status()) ||
          absl::Now() - last_success > kOutageBudget) {
        return ReportError(ctx, status.status());
      }
      if (!warned) {
        *ctx.err << "swellctl: lost the controller at "
                 << absl::StrJoin(ctx.client->last_call().tried, ", ")
                 << ", retrying for up to "
                 << absl::FormatDuration(kOutageBudget) << "\n";
        warned = true;
      }
      absl::SleepFor(interval);
      continue;
    }
    seen_once = true;
    warned = false;
    last_success = absl::Now();
    if (status->database_notice() != database_notice) {
      database_notice = status->database_notice();
      *ctx.err << "swellctl: "
               << (database_notice.empty() ? "the database answers again"
                                           : database_notice)
               << "\n";
    }

    const std::optional<int> exit_code =
        WatchExitCode(status->summary().state());
    if (ctx.format == OutputFormat::kJson) {
      if (exit_code) {
        const int emitted = EmitJson(ctx, *status);
        return emitted == kExitOk ? *exit_code : emitted;
      }
    } else if (ctx.tty) {
      Redraw(*ctx.out, RenderWatchFrame(*status, ctx.clock->Now(), ctx.width));
    } else {
      printer.Print(*status);
    }
    if (exit_code) {
      if (ctx.format == OutputFormat::kTable) PrintOutcome(ctx, *status);
      return *exit_code;
    }
    absl::SleepFor(interval);
  }
}

}  // namespace swell::cli
