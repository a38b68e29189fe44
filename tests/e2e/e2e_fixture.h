#pragma once

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "tests/e2e/cluster.h"
#include "tests/support/throwaway_postgres.h"

namespace swell::e2e {

// One throwaway PostgreSQL per test binary, one database and one cluster
// (controller + agents) per test.
class E2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;
  void TearDown() override;

  // Starts n agents h0..h{n-1}: even ones in site a, odd ones in site b.
  void StartFleet(int n);

  // The test binary's PostgreSQL, for tests that take it away.
  static test_support::ThrowawayPostgres& postgres() { return *pg_; }

  std::string dir_;
  std::unique_ptr<Cluster> cluster_;

 private:
  static test_support::ThrowawayPostgres* pg_;
  static int databases_;
};

}  // namespace swell::e2e
