#include "tests/support/throwaway_postgres.h"

#include <filesystem>
#include <string>

#include "gtest/gtest.h"
#include "pqxx/connection"
#include "pqxx/nontransaction"

namespace swell::test_support {
namespace {

std::string QueryOne(const std::string& conninfo, const std::string& sql) {
  pqxx::connection conn(conninfo);
  pqxx::nontransaction tx(conn);
  return tx.exec(sql)[0][0].c_str();
}

bool Accepts(const std::string& conninfo) {
  try {
    pqxx::connection conn(conninfo);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

TEST(ThrowawayPostgresTest, ServesAUtf8DatabaseOnLoopbackOnly) {
  ThrowawayPostgres server;
  absl::StatusOr<std::string> conninfo = server.Start();
  ASSERT_TRUE(conninfo.ok()) << conninfo.status();

  EXPECT_GT(server.port(), 0);
  EXPECT_EQ(QueryOne(*conninfo, "SHOW listen_addresses"), "127.0.0.1");
  EXPECT_EQ(QueryOne(*conninfo, "SELECT current_database()"), "swell");
  EXPECT_EQ(QueryOne(*conninfo, "SHOW server_encoding"), "UTF8");
  EXPECT_EQ(QueryOne(*conninfo, "SHOW fsync"), "off");
}

TEST(ThrowawayPostgresTest, CreatesSeparateDatabases) {
  ThrowawayPostgres server;
  ASSERT_TRUE(server.Start().ok());
  absl::StatusOr<std::string> a = server.CreateDatabase("a b");
  absl::StatusOr<std::string> b = server.CreateDatabase("b");
  ASSERT_TRUE(a.ok() && b.ok());

  EXPECT_EQ(QueryOne(*a, "SELECT current_database()"), "a b");
  EXPECT_EQ(QueryOne(*b, "SELECT current_database()"), "b");
  EXPECT_FALSE(server.CreateDatabase("b").ok());  // exists already
}

TEST(ThrowawayPostgresTest, StopEndsTheServerAndRemovesItsDirectory) {
  ThrowawayPostgres server;
  absl::StatusOr<std::string> conninfo = server.Start();
  ASSERT_TRUE(conninfo.ok()) << conninfo.status();
  std::string dir = server.dir();
  ASSERT_TRUE(std::filesystem::exists(dir));

  ASSERT_TRUE(server.Stop().ok());
  EXPECT_FALSE(server.running());
  EXPECT_FALSE(std::filesystem::exists(dir));
  EXPECT_FALSE(Accepts(*conninfo));
  EXPECT_TRUE(server.Stop().ok());  // again: nothing to do
}

TEST(ThrowawayPostgresTest, StartingTwiceIsAnError) {
  ThrowawayPostgres server;
  ASSERT_TRUE(server.Start().ok());
  EXPECT_EQ(server.Start().status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace swell::test_support
