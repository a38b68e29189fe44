// submit, preview and plan check: all read a plan and check it locally
// first, so that an invalid plan never reaches the controller.

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cli/commands.h"
#include "cli/exit_code.h"
#include "cli/format.h"
#include "cli/plan_source.h"
#include "cli/render_fleet.h"
#include "common/json.h"
#include "controller/plan/plan_describe.h"

namespace swell::cli {
namespace {

// Reads and validates the plan named by the last argument. On failure
// prints every problem, one per line, and sets `exit_code`.
std::optional<PlanSource> LoadCheckedPlan(
    Context& ctx, int* exit_code, controller::Plan* plan_out = nullptr) {
  absl::StatusOr<PlanSource> plan = ReadPlan(ctx.args->args.back());
  if (!plan.ok()) {
    *exit_code = ReportError(ctx, plan.status());
    return std::nullopt;
  }
  absl::StatusOr<controller::PolicySet> policies = LocalPolicies();
  if (!policies.ok()) {
    *exit_code = ReportError(ctx, policies.status());
    return std::nullopt;
  }
  // Only `plan check` insists on resolving the policy here; submit and
  // preview leave a policy unknown locally to the controller.
  const bool local_only = ctx.args->command == "plan";
  const absl::StatusOr<CheckedPlan> valid =
      ValidatePlan(*plan, *policies, !local_only);
  if (!valid.ok()) {
    std::vector<absl::string_view> lines =
        absl::StrSplit(valid.status().message(), '\n', absl::SkipWhitespace());
    for (absl::string_view line : lines) *ctx.err << line << "\n";
    *ctx.err << "swellctl: " << plan->file << ": "
             << (lines.size() == 1 ? std::string("1 problem")
                                   : absl::StrCat(lines.size(), " problems"))
             << (ctx.args->command == "plan" ? "\n" : "; nothing was sent\n");
    *exit_code = kExitBadInput;
    return std::nullopt;
  }
  if (valid->policy_unresolved) {
    *ctx.err << "swellctl: " << valid->unresolved
             << " here (set SWELL_POLICIES); the controller resolves it\n";
  }
  if (plan_out != nullptr) *plan_out = valid->plan;
  return std::move(plan).value();
}

// The --seed flag: 0 when it is absent (the controller then uses the
// plan's default). A value that is not a whole number from 1 to 2^32-1
// prints why and returns kExitBadInput through `exit_code`.
uint32_t SeedFlag(Context& ctx, int* exit_code) {
  if (!ctx.args->Has("seed")) return 0;
  const std::string text = ctx.args->Get("seed");
  uint32_t seed = 0;
  if (!absl::SimpleAtoi(text, &seed) || seed == 0) {
    *ctx.err << "swellctl: --seed '" << text
             << "': expected a whole number from 1 to 4294967295 (leave it "
                "out for the plan's default, which preview prints)\n";
    *exit_code = kExitBadInput;
  }
  return seed;
}

}  // namespace

int RunSubmit(Context& ctx) {
  int exit_code = kExitOk;
  const std::string reason = ReasonFlag(ctx, /*required=*/false, &exit_code);
  const uint32_t seed = SeedFlag(ctx, &exit_code);
  if (exit_code != kExitOk) return exit_code;
  std::optional<PlanSource> plan = LoadCheckedPlan(ctx, &exit_code);
  if (!plan) return exit_code;

  v1::SubmitRequest req;
  req.set_plan_yaml(plan->yaml);
  req.set_plan_file(plan->file);
  req.set_actor(ctx.actor);
  req.set_reason(reason);
  req.set_seed(seed);
  absl::StatusOr<v1::SubmitResponse> resp = ctx.client->Submit(req);
  if (!resp.ok()) return ReportError(ctx, resp.status());
  if (ctx.format == OutputFormat::kJson) return EmitJson(ctx, *resp);
  // The id alone on the first line of stdout, for $(swellctl submit ...).
  *ctx.out << resp->rollout_id() << "\n";
  ctx.out->flush();
  *ctx.err << "watch it: swellctl watch " << resp->rollout_id() << "\n";
  return kExitOk;
}

int RunPreview(Context& ctx) {
  int exit_code = kExitOk;
  const uint32_t seed = SeedFlag(ctx, &exit_code);
  if (exit_code != kExitOk) return exit_code;
  std::optional<PlanSource> plan = LoadCheckedPlan(ctx, &exit_code);
  if (!plan) return exit_code;

  v1::PreviewRequest req;
  req.set_plan_yaml(plan->yaml);
  req.set_plan_file(plan->file);
  req.set_seed(seed);
  absl::StatusOr<v1::PreviewResponse> resp = ctx.client->Preview(req);
  if (!resp.ok()) return ReportError(ctx, resp.status());
  if (ctx.format == OutputFormat::kJson) return EmitJson(ctx, *resp);
  *ctx.out << RenderPreview(*resp, ctx.width);
  return kExitOk;
}

namespace {

// `plan check -o json`: one JSON object, whether the plan is valid or not:
// "file", "ok", "errors" (each with "line" and "column", 0 when unknown,
// "field" and "message") and, for a valid plan, "name", "variable",
// "waves" and "gates" (their count). A plan or policy directory that cannot
// be read is reported on stderr like any other failed command.
int RunPlanCheckJson(Context& ctx) {
  absl::StatusOr<PlanSource> plan = ReadPlan(ctx.args->args.back());
  if (!plan.ok()) return ReportError(ctx, plan.status());
  absl::StatusOr<controller::PolicySet> policies = LocalPolicies();
  if (!policies.ok()) return ReportError(ctx, policies.status());
  // What ValidatePlan does without allow_unresolved_policy, with the errors
  // kept apart.
  const controller::PlanParseResult parsed =
      controller::ParsePlan(plan->yaml, *policies);

  // Written by hand rather than through a proto Struct, so that the keys
  // keep this order and each error is one line.
  using common::JsonQuote;
  std::string json =
      absl::StrCat("{\n  \"file\": ", JsonQuote(plan->file),
                   ",\n  \"ok\": ", parsed.ok() ? "true" : "false");
  if (parsed.ok()) {
    absl::StrAppend(&json, ",\n  \"name\": ", JsonQuote(parsed.plan.name),
                    ",\n  \"variable\": ",
                    JsonQuote(parsed.plan.variable.name()), ",\n  \"waves\": ",
                    JsonQuote(controller::DescribeWaveShape(parsed.plan)),
                    ",\n  \"gates\": ", parsed.plan.gates.size());
  }
  absl::StrAppend(&json, ",\n  \"errors\": [");
  for (size_t i = 0; i < parsed.errors.size(); ++i) {
    const controller::PlanError& e = parsed.errors[i];
    absl::StrAppend(&json, i == 0 ? "\n" : ",\n", "    {\"line\": ", e.line,
                    ", \"column\": ", e.column,
                    ", \"field\": ", JsonQuote(e.field),
                    ", \"message\": ", JsonQuote(e.message), "}");
  }
  absl::StrAppend(&json, parsed.errors.empty() ? "]\n}\n" : "\n  ]\n}\n");
  *ctx.out << json;
  ctx.out->flush();
  return parsed.ok() ? kExitOk : kExitBadInput;
}

}  // namespace

int RunPlanCheck(Context& ctx) {
  if (ctx.args->args.at(0) != "check") {
    *ctx.err << "swellctl: unknown plan command '" << ctx.args->args.at(0)
             << "' (see 'swellctl plan --help')\n";
    return kExitBadInput;
  }
  if (ctx.format == OutputFormat::kJson) return RunPlanCheckJson(ctx);
  int exit_code = kExitOk;
  controller::Plan parsed;
  std::optional<PlanSource> plan = LoadCheckedPlan(ctx, &exit_code, &parsed);
  if (!plan) return exit_code;
  *ctx.out << plan->file << ": ok: " << parsed.name << " moves "
           << parsed.variable.name() << " in "
           << controller::DescribeWaveShape(parsed) << ", gated by "
           << Plural(static_cast<int64_t>(parsed.gates.size()), "gate", "gates")
           << "\n";
  return kExitOk;
}

}  // namespace swell::cli
