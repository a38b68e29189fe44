#include "cli/app.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "cli/api_credentials.h"
#include "cli/command_table.h"
#include "cli/commands.h"
#include "cli/controller_addresses.h"
#include "cli/controller_client.h"
#include "cli/exit_code.h"
#include "common/clock.h"

namespace swell::cli {
namespace {

int UsageError(std::ostream& err, absl::string_view message) {
  err << "swellctl: " << message << "\n";
  return kExitBadInput;
}

int Help(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  // `swellctl help CMD` and `swellctl CMD --help` show the same text.
  absl::string_view name = args.command;
  if (name == "help") name = args.args.empty() ? "" : args.args[0];
  if (name.empty()) {
    out << MainUsage();
    return kExitOk;
  }
  const CommandInfo* command = FindCommandInfo(name);
  if (command == nullptr) {
    return UsageError(err, absl::StrCat("unknown command '", name,
                                        "' (see 'swellctl --help')"));
  }
  out << CommandUsage(*command);
  return kExitOk;
}

}  // namespace

int RunSwellctl(const std::vector<std::string>& argv, const Environment& env,
                std::ostream& out, std::ostream& err) {
  absl::StatusOr<ParsedArgs> args =
      ParseArgs(argv, GlobalFlags(), CommandSyntaxes());
  if (!args.ok()) return UsageError(err, args.status().message());
  if (args->command.empty() && !args->help) {
    err << MainUsage();
    return kExitBadInput;
  }
  if (args->help || args->command == "help") return Help(*args, out, err);

  Context ctx;
  ctx.args = &*args;
  const std::string format = args->Get("output", "table");
  if (format == "json") {
    ctx.format = OutputFormat::kJson;
  } else if (format != "table") {
    return UsageError(
        err, absl::StrCat("-o wants table or json, not '", format, "'"));
  }
  absl::Duration timeout = absl::Seconds(10);
  if (args->Has("timeout") &&
      (!absl::ParseDuration(args->Get("timeout"), &timeout) ||
       timeout <= absl::ZeroDuration())) {
    return UsageError(err, absl::StrCat("--timeout wants a positive duration "
                                        "such as 10s or 1m, not '",
                                        args->Get("timeout"), "'"));
  }
  // plan and completion are local: they need no controller.
  const bool local = args->command == "plan" || args->command == "completion";
  absl::StatusOr<std::vector<std::string>> addresses =
      ResolveControllerAddresses(*args, env);
  if (!addresses.ok() && !local) {
    return UsageError(err, addresses.status().message());
  }
  absl::StatusOr<ApiCredentials> credentials =
      ResolveApiCredentials(*args, env);
  if (!credentials.ok() && !local) {
    return UsageError(err, credentials.status().message());
  }
  ControllerClient::Options options;
  options.addresses = addresses.ok()
                          ? *std::move(addresses)
                          : std::vector<std::string>{kDefaultController};
  options.timeout = timeout;
  if (credentials.ok()) {
    options.token = credentials->token;
    options.credentials = credentials->channel;
  } else {
    options.credentials = grpc::InsecureChannelCredentials();
  }
  ControllerClient client(std::move(options));
  ctx.client = &client;
  ctx.actor = env.actor.empty() ? "unknown" : env.actor;
  ctx.out = &out;
  ctx.err = &err;
  ctx.clock = &common::RealClock::Get();
  ctx.tty = env.stdout_tty;
  ctx.width = env.width;
  const int status = FindCommandInfo(args->command)->run(ctx);
  out.flush();
  err.flush();
  return status;
}

}  // namespace swell::cli
