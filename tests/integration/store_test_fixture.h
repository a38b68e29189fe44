#pragma once

// The fixture of the store conformance suite: each test runs once per
// factory, against a fresh, migrated store.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "controller/store/memory_store.h"
#include "controller/store/postgres_store.h"
#include "gtest/gtest.h"
#include "tests/integration/model_dump.h"
#include "tests/integration/shared_postgres.h"

namespace swell::controller {

struct MemoryStoreFactory {
  static constexpr const char* kName = "Memory";
  static absl::StatusOr<std::unique_ptr<Store>> NewStore() {
    return std::make_unique<MemoryStore>();
  }
};

struct PostgresStoreFactory {
  static constexpr const char* kName = "Postgres";
  static absl::StatusOr<std::unique_ptr<Store>> NewStore() {
    absl::StatusOr<std::string> conninfo = test_support::FreshDatabase();
    if (!conninfo.ok()) return conninfo.status();
    absl::StatusOr<std::unique_ptr<PostgresStore>> store =
        PostgresStore::Connect(*conninfo);
    if (!store.ok()) return store.status();
    return std::unique_ptr<Store>(std::move(*store));
  }
};

struct FactoryName {
  template <typename T>
  static std::string GetName(int) {
    return T::kName;
  }
};

template <typename Factory>
class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<Store>> store = Factory::NewStore();
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    absl::Status migrated = store_->Migrate();
    ASSERT_TRUE(migrated.ok()) << migrated;
  }

  FleetState MustLoad() {
    absl::StatusOr<FleetState> state = store_->Load();
    EXPECT_TRUE(state.ok()) << state.status();
    return state.ok() ? *std::move(state) : FleetState{};
  }

  void MustCommit(const Mutation& m) {
    absl::Status s = store_->Commit(m);
    ASSERT_TRUE(s.ok()) << s;
  }

  std::string AuditDump(std::string_view rollout_id = "", int limit = 1000) {
    absl::StatusOr<std::vector<AuditEvent>> events =
        store_->Audit(rollout_id, limit);
    EXPECT_TRUE(events.ok()) << events.status();
    std::string out;
    for (const AuditEvent& a : events.value_or(std::vector<AuditEvent>{}))
      out += Dump(a) + "\n";
    return out;
  }

  std::string VerdictDump(std::string_view rollout_id) {
    absl::StatusOr<std::vector<VerdictRecord>> verdicts =
        store_->Verdicts(rollout_id);
    EXPECT_TRUE(verdicts.ok()) << verdicts.status();
    std::string out;
    for (const VerdictRecord& v :
         verdicts.value_or(std::vector<VerdictRecord>{}))
      out += Dump(v) + "\n";
    return out;
  }

  std::unique_ptr<Store> store_;
};

using StoreFactories =
    ::testing::Types<MemoryStoreFactory, PostgresStoreFactory>;

}  // namespace swell::controller
