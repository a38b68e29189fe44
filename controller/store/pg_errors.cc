#include "controller/store/pg_errors.h"

#include <exception>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "pqxx/except"

namespace swell::controller {
namespace {

// Classes of SQLSTATE codes, for errors libpqxx has no class of its own for.
absl::StatusCode CodeForSqlState(const std::string& state) {
  if (absl::StartsWith(state, "08")) return absl::StatusCode::kUnavailable;
  if (state == "57P01" || state == "57P02" || state == "57P03") {
    return absl::StatusCode::kUnavailable;  // server shutting down/starting
  }
  if (state == "40001" || state == "40P01") return absl::StatusCode::kAborted;
  if (absl::StartsWith(state, "22") || absl::StartsWith(state, "23")) {
    return absl::StatusCode::kInvalidArgument;
  }
  return absl::StatusCode::kInternal;
}

}  // namespace

absl::Status StatusFromCurrentException(std::string_view what) {
  auto make = [&](absl::StatusCode code, const char* detail) {
    std::string message = absl::StrCat(std::string(what), ": ", detail);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    return absl::Status(code, message);
  };
  try {
    throw;
  } catch (const pqxx::broken_connection& e) {
    return make(absl::StatusCode::kUnavailable, e.what());
  } catch (const pqxx::in_doubt_error& e) {
    // Every write is idempotent, so retrying an unknown outcome is safe.
    return make(absl::StatusCode::kUnavailable, e.what());
  } catch (const pqxx::statement_completion_unknown& e) {
    return make(absl::StatusCode::kUnavailable, e.what());
  } catch (const pqxx::transaction_rollback& e) {
    // Serialization failure or deadlock: the whole transaction may succeed
    // when retried.
    return make(absl::StatusCode::kAborted, e.what());
  } catch (const pqxx::data_exception& e) {
    return make(absl::StatusCode::kInvalidArgument, e.what());
  } catch (const pqxx::integrity_constraint_violation& e) {
    return make(absl::StatusCode::kInvalidArgument, e.what());
  } catch (const pqxx::sql_error& e) {
    return make(CodeForSqlState(e.sqlstate()), e.what());
  } catch (const std::exception& e) {
    return make(absl::StatusCode::kInternal, e.what());
  } catch (...) {
    return make(absl::StatusCode::kInternal, "unknown exception");
  }
}

}  // namespace swell::controller
