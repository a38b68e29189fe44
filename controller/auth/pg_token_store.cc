#include "controller/auth/pg_token_store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "controller/store/pg_errors.h"
#include "controller/store/store_values.h"
#include "pqxx/result"
#include "pqxx/transaction"

namespace swell::controller {
namespace {

// Serialises CreateFirstAdmin across controllers ("SWELLTOK").
constexpr long long kFirstAdminLockKey = 0x5357454c4c544f4b;

// Absent times are NULL in the table and infinities here (api_token.h).
constexpr absl::string_view kColumns =
    "name, role, token_sha256, swell_us(created_at), created_by,"
    " COALESCE(swell_us(expires_at), 9223372036854775807),"
    " COALESCE(swell_us(last_used_at), (-9223372036854775808)::bigint),"
    " COALESCE(swell_us(revoked_at), 9223372036854775807)";

ApiToken ReadToken(const pqxx::row& row) {
  ApiToken t;
  t.name = row[0].c_str();
  // The table's CHECK admits only the four names.
  t.role = ParseRole(row[1].c_str()).value_or(Role::kViewer);
  t.sha256_hex = row[2].c_str();
  t.created_at = TimeFromMicros(row[3].as<int64_t>());
  t.created_by = row[4].c_str();
  t.expires_at = TimeFromMicros(row[5].as<int64_t>());
  t.last_used_at = TimeFromMicros(row[6].as<int64_t>());
  t.revoked_at = TimeFromMicros(row[7].as<int64_t>());
  return t;
}

void AppendAudit(pqxx::transaction_base& tx, const AuditEvent& a) {
  tx.exec_params(
      "INSERT INTO audit_events (at, actor, action, rollout_id, reason)"
      " VALUES (swell_ts($1), $2, $3, $4, $5)",
      TimeToMicros(a.at), a.actor, a.action, a.rollout_id, a.reason);
}

// Inserts `t`, or replaces a token of the same name that is revoked or
// expired at t.created_at; kAlreadyExists otherwise.
absl::Status InsertToken(pqxx::transaction_base& tx, const ApiToken& t) {
  if (!tx.exec_params("SELECT 1 FROM api_tokens"
                      " WHERE token_sha256 = $1 AND name <> $2",
                      t.sha256_hex, t.name)
           .empty()) {
    return absl::AlreadyExistsError("a token with this hash exists");
  }
  pqxx::result r = tx.exec_params(
      "INSERT INTO api_tokens (name, role, token_sha256, created_at,"
      "  created_by, expires_at, last_used_at, revoked_at)"
      " VALUES ($1, $2, $3, swell_ts($4), $5,"
      "  NULLIF(swell_ts($6), 'infinity'), NULLIF(swell_ts($7), '-infinity'),"
      "  NULLIF(swell_ts($8), 'infinity'))"
      " ON CONFLICT (name) DO UPDATE SET role = EXCLUDED.role,"
      "  token_sha256 = EXCLUDED.token_sha256,"
      "  created_at = EXCLUDED.created_at, created_by = EXCLUDED.created_by,"
      "  expires_at = EXCLUDED.expires_at,"
      "  last_used_at = EXCLUDED.last_used_at,"
      "  revoked_at = EXCLUDED.revoked_at"
      " WHERE api_tokens.revoked_at IS NOT NULL"
      "  OR api_tokens.expires_at <= EXCLUDED.created_at",
      t.name, std::string(RoleName(t.role)), t.sha256_hex,
      TimeToMicros(t.created_at), t.created_by, TimeToMicros(t.expires_at),
      TimeToMicros(t.last_used_at), TimeToMicros(t.revoked_at));
  if (r.affected_rows() == 0) {
    return absl::AlreadyExistsError(
        absl::StrCat("a token named '", t.name, "' exists"));
  }
  return absl::OkStatus();
}

bool UsableAdminExists(pqxx::transaction_base& tx, absl::Time now) {
  return tx.exec_params(
               "SELECT 1 FROM api_tokens WHERE role = 'admin'"
               " AND revoked_at IS NULL"
               " AND (expires_at IS NULL OR expires_at > swell_ts($1))"
               " LIMIT 1",
               TimeToMicros(now))
             .size() == 1;
}

}  // namespace

absl::StatusOr<std::unique_ptr<PgTokenStore>> PgTokenStore::Connect(
    const std::string& conninfo) {
  std::unique_ptr<pqxx::connection> conn;
  SWELL_RETURN_IF_ERROR(CatchPqxx("connecting to PostgreSQL for tokens", [&] {
    conn = std::make_unique<pqxx::connection>(conninfo);
    conn->set_variable("client_encoding", "'UTF8'");
    return absl::OkStatus();
  }));
  return std::unique_ptr<PgTokenStore>(new PgTokenStore(std::move(conn)));
}

absl::Status PgTokenStore::Create(const ApiToken& token,
                                  const AuditEvent& audit) {
  SWELL_RETURN_IF_ERROR(CheckStorable(token, audit));
  std::lock_guard<std::mutex> lock(mu_);
  return CatchPqxx("creating a token", [&]() -> absl::Status {
    pqxx::work tx(*conn_);
    SWELL_RETURN_IF_ERROR(InsertToken(tx, token));
    AppendAudit(tx, audit);
    tx.commit();
    return absl::OkStatus();
  });
}

absl::StatusOr<bool> PgTokenStore::CreateFirstAdmin(const ApiToken& token,
                                                    const AuditEvent& audit) {
  SWELL_RETURN_IF_ERROR(CheckStorable(token, audit));
  std::lock_guard<std::mutex> lock(mu_);
  return CatchPqxx(
      "creating the first admin token", [&]() -> absl::StatusOr<bool> {
        pqxx::work tx(*conn_);
        tx.exec_params("SELECT pg_advisory_xact_lock($1)", kFirstAdminLockKey);
        if (UsableAdminExists(tx, token.created_at)) return false;
        SWELL_RETURN_IF_ERROR(InsertToken(tx, token));
        AppendAudit(tx, audit);
        tx.commit();
        return true;
      });
}

absl::StatusOr<bool> PgTokenStore::HasUsableAdmin(absl::Time now) {
  std::lock_guard<std::mutex> lock(mu_);
  return CatchPqxx("looking for an admin token", [&]() -> absl::StatusOr<bool> {
    pqxx::read_transaction tx(*conn_);
    return UsableAdminExists(tx, now);
  });
}

absl::StatusOr<ApiToken> PgTokenStore::FindByHash(
    absl::string_view sha256_hex) {
  SWELL_RETURN_IF_ERROR(CheckLookupKey("token hash", sha256_hex));
  std::lock_guard<std::mutex> lock(mu_);
  return CatchPqxx("looking up a token", [&]() -> absl::StatusOr<ApiToken> {
    pqxx::read_transaction tx(*conn_);
    pqxx::result r =
        tx.exec_params(absl::StrCat("SELECT ", kColumns,
                                    " FROM api_tokens WHERE token_sha256 = $1"),
                       std::string(sha256_hex));
    if (r.empty()) return absl::NotFoundError("no token has this hash");
    return ReadToken(r[0]);
  });
}

absl::StatusOr<std::vector<ApiToken>> PgTokenStore::List() {
  std::lock_guard<std::mutex> lock(mu_);
  return CatchPqxx(
      "listing tokens", [&]() -> absl::StatusOr<std::vector<ApiToken>> {
        pqxx::read_transaction tx(*conn_);
        std::vector<ApiToken> out;
        for (const pqxx::row& row :
             tx.exec(absl::StrCat("SELECT ", kColumns,
                                  " FROM api_tokens"
                                  " ORDER BY name COLLATE \"C\""))) {
          out.push_back(ReadToken(row));
        }
        return out;
      });
}

absl::StatusOr<ApiToken> PgTokenStore::Revoke(absl::string_view name,
                                              absl::Time at,
                                              const AuditEvent& audit) {
  SWELL_RETURN_IF_ERROR(CheckLookupKey("token name", name));
  SWELL_RETURN_IF_ERROR(CheckStorableAudit(audit));
  std::lock_guard<std::mutex> lock(mu_);
  return CatchPqxx("revoking a token", [&]() -> absl::StatusOr<ApiToken> {
    pqxx::work tx(*conn_);
    pqxx::result revoked = tx.exec_params(
        "UPDATE api_tokens SET revoked_at = swell_ts($2)"
        " WHERE name = $1 AND revoked_at IS NULL",
        std::string(name), TimeToMicros(at));
    if (revoked.affected_rows() == 1) AppendAudit(tx, audit);
    pqxx::result r = tx.exec_params(
        absl::StrCat("SELECT ", kColumns, " FROM api_tokens WHERE name = $1"),
        std::string(name));
    if (r.empty()) {
      return absl::NotFoundError(absl::StrCat("no token named '", name, "'"));
    }
    ApiToken t = ReadToken(r[0]);
    tx.commit();
    return t;
  });
}

absl::Status PgTokenStore::TouchLastUsed(absl::string_view name,
                                         absl::Time at) {
  SWELL_RETURN_IF_ERROR(CheckLookupKey("token name", name));
  std::lock_guard<std::mutex> lock(mu_);
  return CatchPqxx("recording a token's use", [&] {
    pqxx::work tx(*conn_);
    tx.exec_params(
        "UPDATE api_tokens SET last_used_at = swell_ts($2) WHERE name = $1"
        " AND (last_used_at IS NULL OR last_used_at < swell_ts($2))",
        std::string(name), TimeToMicros(at));
    tx.commit();
    return absl::OkStatus();
  });
}

}  // namespace swell::controller
