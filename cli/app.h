#pragma once

// swellctl as a function: parses the command line, picks the command and
// runs it. main.cc only gathers the process environment.

#include <ostream>
#include <string>
#include <vector>

namespace swell::cli {

// What swellctl takes from its process environment.
struct Environment {
  std::string controller;  // $SWELL_CONTROLLER; "" for the default
  std::string actor;       // $SWELL_ACTOR, else $USER; "" for "unknown"
  std::string token;       // $SWELL_TOKEN; "" for none
  std::string ca;          // $SWELL_CA: the CA that verifies the controller
  // ~/.config/swell/token, read when neither --token-file nor SWELL_TOKEN
  // gives a token and it exists; "" when $HOME is not set.
  std::string default_token_file;
  bool stdout_tty = false;
  int width = 100;  // terminal columns
};

inline constexpr char kDefaultController[] = "127.0.0.1:7072";

// Runs `argv` (without the program name) and returns the exit status
// (cli/exit_code.h). Results go to `out`, errors and hints to `err`.
int RunSwellctl(const std::vector<std::string>& argv, const Environment& env,
                std::ostream& out, std::ostream& err);

}  // namespace swell::cli
