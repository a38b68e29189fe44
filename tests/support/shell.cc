#include "tests/support/shell.h"

#include <sys/wait.h>

#include <cstdio>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace swell::test_support {

std::string ShellQuote(std::string_view word) {
  std::string quoted = "'";
  for (char c : word) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  quoted += "'";
  return quoted;
}

absl::StatusOr<ShellResult> RunShell(const std::vector<std::string>& argv,
                                     const std::string& cwd) {
  std::string command = absl::StrCat("cd ", ShellQuote(cwd), " && exec");
  for (const std::string& word : argv) {
    absl::StrAppend(&command, " ", ShellQuote(word));
  }
  absl::StrAppend(&command, " 2>&1 </dev/null");
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    return absl::InternalError(absl::StrCat("cannot run: ", command));
  }
  ShellResult result;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
    result.output.append(buffer, n);
  }
  int status = pclose(pipe);
  if (status == -1) {
    return absl::InternalError(absl::StrCat("cannot wait for: ", command));
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace swell::test_support
