#pragma once

#include <string_view>
#include <vector>

#include "pqxx/connection_base"

namespace swell::controller {

// One step of the schema's history. Append only: a migration that has
// shipped is never edited; a change is a new version.
struct Migration {
  int version;
  std::string_view sql;
};

// Every migration, oldest first, versions 1, 2, 3, ...
const std::vector<Migration>& SchemaMigrations();

// Applies the migrations that schema_migrations does not list yet, each in
// its own transaction holding pg_advisory_xact_lock(kMigrationLockKey), so
// that controllers starting together apply each exactly once. Versions the
// database has beyond SchemaMigrations() (a newer controller ran) are left
// alone. Throws libpqxx exceptions.
inline constexpr long long kMigrationLockKey = 0x5357454c4c4d4947;  // SWELLMIG
void ApplyMigrations(pqxx::connection_base& conn);

}  // namespace swell::controller
