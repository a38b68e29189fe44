#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace swell::test_support {

// A PostgreSQL server of its own for one test binary: a fresh cluster in a
// temporary directory, listening on 127.0.0.1 only (plus a Unix socket in
// that directory), on a free port, with trust authentication and fsync off.
// Its superuser is "swell".
//
// The binaries are taken from $SWELL_PG_BINDIR, else from the newest
// /usr/lib/postgresql/*/bin. Run as root, the server runs as the "postgres"
// user (through runuser), since PostgreSQL refuses to run as root.
//
// Errors carry the failing tool's output. Not thread-safe.
class ThrowawayPostgres {
 public:
  ThrowawayPostgres() = default;
  ThrowawayPostgres(const ThrowawayPostgres&) = delete;
  ThrowawayPostgres& operator=(const ThrowawayPostgres&) = delete;
  ~ThrowawayPostgres();  // Stop()s, reporting a failure on stderr

  // Creates the cluster, starts the server, waits until it accepts
  // connections and creates the database "swell". Returns that database's
  // conninfo. kFailedPrecondition when already started.
  [[nodiscard]] absl::StatusOr<std::string> Start();

  // Creates an empty database `name` (UTF8) and returns its conninfo.
  [[nodiscard]] absl::StatusOr<std::string> CreateDatabase(
      std::string_view name);

  // Stops the server at once (pg_ctl stop -m immediate) and removes the
  // directory. Does nothing when not started.
  [[nodiscard]] absl::Status Stop();

  // Stops the server as a restart does (pg_ctl stop -m fast: every session
  // is ended, committed data is kept). kFailedPrecondition when it is not
  // running.
  [[nodiscard]] absl::Status Pause();
  // Starts a Pause()d server again on the same port, so the same conninfo
  // reaches it, and waits until it accepts connections.
  [[nodiscard]] absl::Status Resume();
  // Starts a Pause()d server again on `port` instead: the same data behind
  // another address, as a primary switch (Patroni) looks to a client whose
  // DSN lists both. port() is `port` afterwards.
  [[nodiscard]] absl::Status ResumeOn(int port);

  // The conninfo of database `name` on this server.
  std::string ConninfoFor(std::string_view name) const;

  bool running() const { return running_; }
  int port() const { return port_; }
  const std::string& dir() const { return dir_; }

 private:
  absl::Status InitCluster();
  // On a free port, or on port_ when `same_port`.
  absl::Status StartServer(bool same_port = false);
  absl::Status AwaitConnections();
  // Runs a PostgreSQL tool as the server's owner; kInternal with its output
  // when it fails.
  absl::StatusOr<std::string> RunTool(std::string_view tool,
                                      std::vector<std::string> args) const;

  std::string bin_dir_;
  std::string dir_;  // holds data/, the socket and server.log
  int port_ = 0;
  bool running_ = false;
};

}  // namespace swell::test_support
