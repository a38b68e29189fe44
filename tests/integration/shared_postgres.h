#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace swell::test_support {

// A new, empty database on the test binary's one throwaway PostgreSQL
// server, which is started on first use and stopped when the binary exits.
// Returns the database's conninfo.
absl::StatusOr<std::string> FreshDatabase();

}  // namespace swell::test_support
