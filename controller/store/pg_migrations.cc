#include "controller/store/pg_migrations.h"

#include "pqxx/transaction"

namespace swell::controller {
namespace {

// Times travel as int64 microseconds since the Unix epoch (see
// store_values.h); swell_ts and swell_us convert exactly, with INT64_MIN and
// INT64_MAX for -infinity and infinity. The intervals added have no day or
// month part, so the session's time zone never matters. Both are STABLE (as
// timestamptz arithmetic is) and not STRICT, so that PostgreSQL inlines
// them: a call per row costs ten times more.
constexpr std::string_view kV1 = R"sql(
CREATE FUNCTION swell_ts(us bigint) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE us
    WHEN -9223372036854775808 THEN '-infinity'::timestamptz
    WHEN 9223372036854775807 THEN 'infinity'::timestamptz
    ELSE 'epoch'::timestamptz + (us / 1000000) * interval '1 second'
                              + (us % 1000000) * interval '1 microsecond'
  END
$$;

CREATE FUNCTION swell_us(t timestamptz) RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT (CASE
    WHEN t = '-infinity' THEN -9223372036854775808
    WHEN t = 'infinity' THEN 9223372036854775807
    ELSE extract(epoch FROM t) * 1000000
  END)::bigint
$$;

CREATE TABLE hosts (
  id text PRIMARY KEY,
  agent_version text NOT NULL,
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  desired_generation bigint NOT NULL
);

CREATE TABLE host_labels (
  host_id text NOT NULL REFERENCES hosts (id),
  key text NOT NULL,
  value text NOT NULL,
  PRIMARY KEY (host_id, key)
);

-- spec is a serialized swell.v1.VariableSpec.
CREATE TABLE host_desired (
  host_id text NOT NULL REFERENCES hosts (id),
  variable text NOT NULL,
  spec bytea NOT NULL,
  value_present boolean NOT NULL,
  value_data bytea NOT NULL,
  rollout_id text NOT NULL,
  PRIMARY KEY (host_id, variable)
);

CREATE TABLE rollouts (
  id text PRIMARY KEY,
  name text NOT NULL,
  plan_yaml text NOT NULL,
  plan_file text NOT NULL,
  variable text NOT NULL,
  spec bytea NOT NULL,
  new_present boolean NOT NULL,
  new_data bytea NOT NULL,
  state text NOT NULL,
  current_wave integer NOT NULL,
  wave_count integer NOT NULL,
  phase text NOT NULL,
  phase_started timestamptz NOT NULL,
  reason text NOT NULL,
  actor text NOT NULL,
  created timestamptz NOT NULL,
  updated timestamptz NOT NULL
);

-- output_tail is bytea: a command's output need not be UTF-8.
CREATE TABLE rollout_hosts (
  rollout_id text NOT NULL REFERENCES rollouts (id),
  host_id text NOT NULL REFERENCES hosts (id),
  wave integer NOT NULL,
  state text NOT NULL,
  previous_known boolean NOT NULL,
  previous_present boolean NOT NULL,
  previous_data bytea NOT NULL,
  generation bigint NOT NULL,
  message text NOT NULL,
  output_tail bytea NOT NULL,
  updated timestamptz NOT NULL,
  PRIMARY KEY (rollout_id, host_id)
);

-- evidence is NULL when the verdict has none.
CREATE TABLE verdicts (
  id bigserial PRIMARY KEY,
  rollout_id text NOT NULL REFERENCES rollouts (id),
  wave integer NOT NULL,
  gate text NOT NULL,
  verdict text NOT NULL,
  summary text NOT NULL,
  evidence jsonb,
  dry_run boolean NOT NULL,
  at timestamptz NOT NULL
);
CREATE INDEX verdicts_by_rollout ON verdicts (rollout_id, id);

-- rollout_id is '' for fleet-wide events.
CREATE TABLE audit_events (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  rollout_id text NOT NULL,
  reason text NOT NULL
);
CREATE INDEX audit_events_by_rollout ON audit_events (rollout_id, id);

-- The fleet's freeze: at most one row; none means no freeze was ever set.
-- ("freeze" is a reserved word in PostgreSQL.)
CREATE TABLE freezes (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  active boolean NOT NULL,
  reason text NOT NULL,
  actor text NOT NULL,
  since timestamptz NOT NULL,
  expires timestamptz NOT NULL
);
)sql";

// The text of the policy a rollout's plan names, as it was at submit. ''
// for a plan naming none, and for every rollout stored before this column.
constexpr std::string_view kV2 = R"sql(
ALTER TABLE rollouts ADD COLUMN policy_yaml text NOT NULL DEFAULT '';
)sql";

// Retired hosts (swellctl hosts retire): retired_at is '-infinity' for a
// host that is not retired. A rollout host's failure: why it failed, kept
// through a rollback; '' when it never failed.
constexpr std::string_view kV3 = R"sql(
ALTER TABLE hosts ADD COLUMN retired_at timestamptz NOT NULL
  DEFAULT '-infinity';
ALTER TABLE hosts ADD COLUMN retire_reason text NOT NULL DEFAULT '';
ALTER TABLE rollout_hosts ADD COLUMN failure text NOT NULL DEFAULT '';
)sql";

// The seed a rollout's hosts were ordered with (a uint32): 0 for every
// rollout stored before this column, whose order hashed its id.
constexpr std::string_view kV4 = R"sql(
ALTER TABLE rollouts ADD COLUMN order_seed bigint NOT NULL DEFAULT 0
  CHECK (order_seed BETWEEN 0 AND 4294967295);
)sql";

// Revoked hosts (swellctl hosts revoke): revoked_at is '-infinity' for a
// host that is not revoked. (Version 6 is the API tokens'.)
constexpr std::string_view kV5 = R"sql(
ALTER TABLE hosts ADD COLUMN revoked_at timestamptz NOT NULL
  DEFAULT '-infinity';
ALTER TABLE hosts ADD COLUMN revoke_reason text NOT NULL DEFAULT '';
)sql";

// API tokens (swellctl token): name, role and the SHA-256 of the token,
// never the token itself. NULL expires_at: never expires; NULL
// last_used_at: never used (updated about once a minute while in use);
// NULL revoked_at: in force. Creating and revoking one appends an
// audit_events row in the same transaction.
constexpr std::string_view kV6 = R"sql(
CREATE TABLE api_tokens (
  name text PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$'),
  role text NOT NULL
    CHECK (role IN ('viewer', 'operator', 'deployer', 'admin')),
  token_sha256 text NOT NULL UNIQUE CHECK (token_sha256 ~ '^[0-9a-f]{64}$'),
  created_at timestamptz NOT NULL,
  created_by text NOT NULL,
  expires_at timestamptz,
  last_used_at timestamptz,
  revoked_at timestamptz
);
)sql";

// Which controller replica leads (controller/leader_election.h): one row.
// epoch grows by one with every term; the leader's commits check it in
// their own transaction (PostgresStore::FenceWith), so a deposed leader's
// late write is refused.
constexpr std::string_view kV7 = R"sql(
CREATE TABLE leadership (
  id integer PRIMARY KEY CHECK (id = 1),
  epoch bigint NOT NULL CHECK (epoch >= 0),
  leader text NOT NULL,
  since timestamptz NOT NULL
);
INSERT INTO leadership VALUES (1, 0, '', now());
)sql";

// The leader's API address, so that a standby can name it to swellctl
// (cli/failover.h, kLeaderTrailer).
constexpr std::string_view kV8 = R"sql(
ALTER TABLE leadership ADD COLUMN api_address text NOT NULL DEFAULT '';
)sql";

}  // namespace

const std::vector<Migration>& SchemaMigrations() {
  static const std::vector<Migration> kMigrations = {
      {1, kV1}, {2, kV2}, {3, kV3}, {4, kV4},
      {5, kV5}, {6, kV6}, {7, kV7}, {8, kV8},
  };
  return kMigrations;
}

void ApplyMigrations(pqxx::connection_base& conn) {
  for (const Migration& m : SchemaMigrations()) {
    pqxx::work tx(conn);
    tx.exec_params("SELECT pg_advisory_xact_lock($1)", kMigrationLockKey);
    tx.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version integer PRIMARY KEY,"
        " applied_at timestamptz NOT NULL DEFAULT now())");
    pqxx::result applied = tx.exec_params(
        "SELECT 1 FROM schema_migrations WHERE version = $1", m.version);
    if (!applied.empty()) continue;  // the transaction rolls back: harmless
    tx.exec(std::string(m.sql));
    tx.exec_params("INSERT INTO schema_migrations (version) VALUES ($1)",
                   m.version);
    tx.commit();
  }
}

}  // namespace swell::controller
