#include "tests/integration/shared_postgres.h"

#include "absl/strings/str_cat.h"
#include "tests/support/throwaway_postgres.h"

namespace swell::test_support {

absl::StatusOr<std::string> FreshDatabase() {
  // Destroyed, and so stopped, at exit.
  static ThrowawayPostgres server;
  static int databases = 0;
  if (!server.running()) {
    absl::StatusOr<std::string> started = server.Start();
    if (!started.ok()) return started.status();
  }
  return server.CreateDatabase(absl::StrCat("test_", ++databases));
}

}  // namespace swell::test_support
