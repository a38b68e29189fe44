// swellctl: the operator CLI of Swell. See `swellctl --help`.

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "cli/app.h"

namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

int TerminalWidth(bool tty) {
  winsize size{};
  if (tty && ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) {
    return size.ws_col;
  }
  int columns = 0;
  if (absl::SimpleAtoi(Env("COLUMNS"), &columns) && columns > 20) {
    return columns;
  }
  return 100;
}

}  // namespace

int main(int argc, char** argv) {
  // gRPC's own logging would break the one-line error contract.
  if (Env("GRPC_VERBOSITY").empty()) setenv("GRPC_VERBOSITY", "NONE", 1);

  swell::cli::Environment env;
  env.controller = Env("SWELL_CONTROLLER");
  env.actor = Env("SWELL_ACTOR");
  if (env.actor.empty()) env.actor = Env("USER");
  env.token = Env("SWELL_TOKEN");
  env.ca = Env("SWELL_CA");
  if (!Env("HOME").empty()) {
    env.default_token_file = Env("HOME") + "/.config/swell/token";
  }
  env.stdout_tty = isatty(STDOUT_FILENO) == 1;
  env.width = TerminalWidth(env.stdout_tty);

  std::vector<std::string> args(argv + 1, argv + argc);
  return swell::cli::RunSwellctl(args, env, std::cout, std::cerr);
}
