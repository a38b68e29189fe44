#include "controller/gate/health_window.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "controller/plan/plan_values.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/core/heap_counter.h"

namespace swell::controller {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::Optional;

const absl::Time kT0 = absl::FromUnixSeconds(1'800'000'000);

HealthWindow::Point Good(double value, absl::Time at = kT0) {
  return HealthWindow::Point{at, true, value};
}

swell::v1::HealthReport Report(
    std::vector<std::pair<std::string, double>> samples) {
  swell::v1::HealthReport r;
  for (auto& [name, value] : samples) {
    swell::v1::Sample* s = r.add_samples();
    s->set_name(name);
    s->set_ok(true);
    s->set_value(value);
  }
  return r;
}

std::string Name(size_t bytes, int i = 0) {
  std::string suffix = absl::StrCat("_", i);
  return std::string(bytes - suffix.size(), 'm') + suffix;
}

TEST(HealthWindowTest, RefusesANameLongerThanTheBoundAndKeepsNothing) {
  HealthWindow w;
  EXPECT_EQ(w.Record("web-1", std::string(HealthWindow::kMaxNameBytes + 1, 'a'),
                     Good(1)),
            SampleRefusal::kNameTooLong);
  EXPECT_EQ(w.Record("web-1", std::string(1 << 20, 'a'), Good(1)),
            SampleRefusal::kNameTooLong);
  EXPECT_EQ(w.BytesKept(), 0u);
  EXPECT_EQ(w.BytesKept("web-1"), 0u);

  const std::string longest(HealthWindow::kMaxNameBytes, 'a');
  EXPECT_EQ(w.Record("web-1", longest, Good(7)), std::nullopt);
  EXPECT_THAT(w.Latest("web-1", longest, kT0),
              Optional(Field(&HealthWindow::Point::value, 7.0)));
}

TEST(HealthWindowTest, AcceptsExactlyTheNamesAPlanGateCanName) {
  const std::vector<std::string> names = {
      "up",
      "docker_containers_running_ratio",
      ":recording:rule",
      "_private",
      "node_load1",
      std::string(HealthWindow::kMaxNameBytes, 'x'),
      std::string(HealthWindow::kMaxNameBytes + 1, 'x'),
      "",
      "1abc",
      "a-b",
      "a.b",
      "a b",
      "caf\xc3\xa9",
      std::string("nul\0here", 8),
      "new\nline",
  };
  HealthWindow w;
  for (const std::string& name : names) {
    const bool accepted = !w.Record("web-1", name, Good(1)).has_value();
    EXPECT_EQ(accepted, plan_internal::IsValidMetricName(name))
        << "name '" << name.substr(0, 40) << "'";
  }
  EXPECT_EQ(w.Record("web-1", "a-b", Good(1)), SampleRefusal::kBadName);
  EXPECT_EQ(w.Record("web-1", "", Good(1)), SampleRefusal::kBadName);
}

TEST(HealthWindowTest, RefusesANonFiniteGoodValueButKeepsAFailedSample) {
  HealthWindow w;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(w.Record("web-1", "latency_ms", Good(nan)),
            SampleRefusal::kNotFinite);
  EXPECT_EQ(w.Record("web-1", "latency_ms", Good(-inf)),
            SampleRefusal::kNotFinite);
  EXPECT_EQ(w.Latest("web-1", "latency_ms", kT0), std::nullopt);

  EXPECT_EQ(
      w.Record("web-1", "latency_ms", HealthWindow::Point{kT0, false, nan}),
      std::nullopt);
  std::optional<HealthWindow::Point> p = w.Latest("web-1", "latency_ms", kT0);
  ASSERT_TRUE(p.has_value());
  EXPECT_FALSE(p->ok);
  EXPECT_EQ(p->value, 0.0);
}

TEST(HealthWindowTest, RefusesASampleWhoseErrorTextIsTooLongAndCountsIt) {
  HealthWindow w;
  swell::v1::HealthReport r = Report({{"up", 1}, {"disk_ok", 1}});
  r.mutable_samples(0)->set_error(
      std::string(HealthWindow::kMaxErrorBytes + 1, 'e'));
  r.mutable_samples(1)->set_error(
      std::string(HealthWindow::kMaxErrorBytes, 'e'));

  HealthWindow::Outcome out = w.Record("web-1", r, kT0);
  EXPECT_EQ(out.recorded, 1);
  EXPECT_EQ(out.refused_total(), 1);
  EXPECT_EQ(out.refused[static_cast<size_t>(SampleRefusal::kErrorTooLong)], 1);
  EXPECT_EQ(out.first_refusal, SampleRefusal::kErrorTooLong);
  EXPECT_EQ(out.first_refused_name, "up");
  EXPECT_EQ(w.Latest("web-1", "up", kT0), std::nullopt);
  EXPECT_NE(w.Latest("web-1", "disk_ok", kT0), std::nullopt);
}

TEST(HealthWindowTest, AReportCountsEachRefusalByReasonAndKeepsTheGoodSamples) {
  HealthWindow w;
  HealthWindow::Outcome out =
      w.Record("web-1",
               Report({{std::string(1 << 20, 'n'), 1},
                       {"up", 1},
                       {"bad-name", 1},
                       {"load1", std::numeric_limits<double>::infinity()}}),
               kT0);
  EXPECT_EQ(out.recorded, 1);
  EXPECT_EQ(out.refused_total(), 3);
  EXPECT_EQ(out.refused[static_cast<size_t>(SampleRefusal::kNameTooLong)], 1);
  EXPECT_EQ(out.refused[static_cast<size_t>(SampleRefusal::kBadName)], 1);
  EXPECT_EQ(out.refused[static_cast<size_t>(SampleRefusal::kNotFinite)], 1);
  EXPECT_EQ(out.first_refusal, SampleRefusal::kNameTooLong);
  EXPECT_EQ(out.first_refused_name_bytes, size_t{1} << 20);
  EXPECT_EQ(out.first_refused_name, std::string(64, 'n'));
  EXPECT_NE(w.Latest("web-1", "up", kT0), std::nullopt);
}

TEST(HealthWindowTest,
     RefusesANewNamePastTheHostsSeriesBoundButKeepsTheOthers) {
  HealthWindow w;
  for (size_t i = 0; i < HealthWindow::kMaxSeriesPerHost; ++i) {
    ASSERT_EQ(w.Record("web-1", absl::StrCat("m", i), Good(1)), std::nullopt);
  }
  const size_t full = w.BytesKept("web-1");
  EXPECT_EQ(w.Record("web-1", "one_too_many", Good(1)),
            SampleRefusal::kTooManySeries);
  EXPECT_EQ(w.BytesKept("web-1"), full);
  // A known name still records, and another host is not affected.
  EXPECT_EQ(w.Record("web-1", "m0", Good(2, kT0 + absl::Seconds(1))),
            std::nullopt);
  EXPECT_THAT(w.Latest("web-1", "m0", kT0),
              Optional(Field(&HealthWindow::Point::value, 2.0)));
  EXPECT_EQ(w.Record("web-2", "one_too_many", Good(1)), std::nullopt);
}

TEST(HealthWindowTest, KeepsTheNewestSamplesOfANameOldestFirst) {
  HealthWindow w;
  const int n = HealthWindow::kSamplesPerSeries + 8;
  for (int i = 0; i < n; ++i) {
    ASSERT_EQ(w.Record("web-1", "up", Good(i, kT0 + absl::Seconds(i))),
              std::nullopt);
  }
  std::vector<HealthWindow::Point> all =
      w.Since("web-1", "up", absl::InfinitePast());
  ASSERT_EQ(all.size(), HealthWindow::kSamplesPerSeries);
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].value, 8.0 + i);
  }
  EXPECT_THAT(w.Latest("web-1", "up", kT0),
              Optional(Field(&HealthWindow::Point::value, n - 1.0)));
  EXPECT_THAT(w.Since("web-1", "up", kT0 + absl::Seconds(n - 2)),
              ElementsAre(Field(&HealthWindow::Point::value, n - 2.0),
                          Field(&HealthWindow::Point::value, n - 1.0)));
  EXPECT_EQ(w.Latest("web-1", "up", kT0 + absl::Seconds(n)), std::nullopt);
}

TEST(HealthWindowTest, AFullHostStaysWithinItsBoundHoweverManySamplesArrive) {
  HealthWindow w;
  const std::string host(253, 'h');
  for (int round = 0; round < 3; ++round) {
    for (size_t i = 0; i < HealthWindow::kMaxSeriesPerHost + 10; ++i) {
      (void)w.Record(host, Name(HealthWindow::kMaxNameBytes, i),
                     Good(round, kT0 + absl::Seconds(round)));
    }
    if (round == 0) continue;
    // Samples after the first round replace older ones: nothing grows.
    EXPECT_EQ(w.BytesKept(host), HealthWindow::MaxBytesPerHost(host.size()));
  }
  EXPECT_EQ(w.BytesKept(), w.BytesKept(host));
  // The bound is small next to what one host could make it keep before:
  // 64 names of up to the message size each.
  EXPECT_LT(HealthWindow::MaxBytesPerHost(253), size_t{100} << 10);
}

TEST(HealthWindowTest, RefusesNewNamesPastTheBudgetAndKeepsRecordingKnownOnes) {
  HealthWindow::Options options;
  options.max_bytes = 2 * HealthWindow::MaxBytesPerHost(6);
  HealthWindow w(options);
  int refused = 0;
  for (int host = 0; host < 4; ++host) {
    for (size_t i = 0; i < HealthWindow::kMaxSeriesPerHost; ++i) {
      std::optional<SampleRefusal> r =
          w.Record(absl::StrCat("web-", host),
                   Name(HealthWindow::kMaxNameBytes, i), Good(1));
      if (r.has_value()) {
        EXPECT_EQ(*r, SampleRefusal::kBudget);
        ++refused;
      }
      ASSERT_LE(w.BytesKept(), options.max_bytes);
    }
  }
  EXPECT_GE(refused, 2 * static_cast<int>(HealthWindow::kMaxSeriesPerHost));
  EXPECT_GT(w.BytesKept(),
            options.max_bytes - HealthWindow::MaxBytesPerHost(6));
  // A name already kept still records at a full budget.
  EXPECT_EQ(w.Record("web-0", Name(HealthWindow::kMaxNameBytes, 0),
                     Good(5, kT0 + absl::Seconds(1))),
            std::nullopt);
  EXPECT_THAT(w.Latest("web-0", Name(HealthWindow::kMaxNameBytes, 0), kT0),
              Optional(Field(&HealthWindow::Point::value, 5.0)));
}

TEST(HealthWindowTest, ForgetsHostsIdleForAnHourWhenTheBudgetIsFull) {
  HealthWindow::Options options;
  options.idle_after = absl::Hours(1);
  options.max_bytes = HealthWindow::MaxBytesPerHost(5) / 16;
  HealthWindow w(options);
  ASSERT_EQ(w.Record("old-1", "up", Good(1)), std::nullopt);
  // Fill the budget with old-1's names.
  for (int i = 0;
       w.Record("old-1", absl::StrCat("m", i), Good(1)) == std::nullopt; ++i) {
  }
  const size_t full = w.BytesKept();

  // old-1 is not idle yet: a new host is refused, and old-1 kept.
  EXPECT_EQ(w.Record("new-1", "up", Good(1, kT0 + absl::Minutes(30))),
            SampleRefusal::kBudget);
  EXPECT_NE(w.Latest("old-1", "up", kT0), std::nullopt);
  EXPECT_EQ(w.hosts_evicted(), 0u);

  // An hour later it is, and makes room.
  EXPECT_EQ(w.Record("new-1", "up", Good(2, kT0 + absl::Minutes(61))),
            std::nullopt);
  EXPECT_EQ(w.Latest("old-1", "up", kT0), std::nullopt);
  EXPECT_EQ(w.hosts_evicted(), 1u);
  EXPECT_LT(w.BytesKept(), full);
  EXPECT_EQ(w.BytesKept(), w.BytesKept("new-1"));
}

TEST(HealthWindowTest, EraseGivesBackEveryByteAHostWasAccounted) {
  HealthWindow w;
  (void)w.Record("web-1", "up", Good(1));
  (void)w.Record("web-2", Name(150), Good(1));
  (void)w.Record("web-2", "up", Good(1));
  EXPECT_EQ(w.BytesKept(), w.BytesKept("web-1") + w.BytesKept("web-2"));
  w.Erase("web-2");
  EXPECT_EQ(w.BytesKept(), w.BytesKept("web-1"));
  w.Erase("web-1");
  EXPECT_EQ(w.BytesKept(), 0u);
}

// The accounting is what the window really holds: never less than the
// blocks it allocated, and more only by the allocator's own overhead.
TEST(HealthWindowTest, AccountedBytesMatchTheHeapTheWindowHolds) {
  const swell::testing::HeapUse before = swell::testing::LiveHeap();
  auto w = std::make_unique<HealthWindow>();
  const swell::testing::HeapUse empty = swell::testing::LiveHeap();
  for (int host = 0; host < 40; ++host) {
    // Short ids live inside the string, long ones on the heap.
    const std::string id = host % 2 ? absl::StrCat("h", host)
                                    : absl::StrCat(std::string(40, 'h'), host);
    for (int i = 0; i < 20; ++i) {
      const std::string name =
          i % 3 ? absl::StrCat("m", i) : Name(20 + 9 * i, i);
      for (int k = 0; k < 40; ++k) {
        ASSERT_EQ(w->Record(id, name, Good(k, kT0 + absl::Seconds(k))),
                  std::nullopt);
      }
    }
  }
  const swell::testing::HeapUse full = swell::testing::LiveHeap();
  const int64_t held = full.bytes - empty.bytes;
  const int64_t blocks = full.blocks - empty.blocks;
  const int64_t kept = static_cast<int64_t>(w->BytesKept());
  ASSERT_GT(blocks, 40 * 20);
  EXPECT_GE(kept, held);
  EXPECT_LE(kept, held + 32 * blocks);

  for (int host = 0; host < 40; host += 2) {
    w->Erase(absl::StrCat(std::string(40, 'h'), host));
  }
  const swell::testing::HeapUse half = swell::testing::LiveHeap();
  const int64_t kept_half = static_cast<int64_t>(w->BytesKept());
  EXPECT_GE(kept_half, half.bytes - empty.bytes);
  EXPECT_LE(kept_half,
            half.bytes - empty.bytes + 32 * (half.blocks - empty.blocks));

  w.reset();
  EXPECT_EQ(swell::testing::LiveHeap().bytes, before.bytes);
}

}  // namespace
}  // namespace swell::controller
