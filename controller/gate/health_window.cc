#include "controller/gate/health_window.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <utility>

#include "controller/plan/plan_values.h"
#include "swell/v1/agent.pb.h"

namespace swell::controller {
namespace {

constexpr absl::Duration kSweepEvery = absl::Minutes(1);
constexpr size_t kLoggedNameBytes = 64;

// What the allocator takes for a request of `n` bytes: glibc's malloc adds
// an 8-byte header and rounds to 16, with a 32-byte minimum.
constexpr size_t Allocated(size_t n) {
  const size_t chunk = (n + 8 + 15) & ~size_t{15};
  return chunk < 32 ? 32 : chunk;
}

// A std::map node is the tree's links and colour (four words) then the
// value.
template <typename Value>
constexpr size_t TreeNodeBytes() {
  return Allocated(4 * sizeof(void*) + sizeof(Value));
}

// The buffer of a std::string of `n` bytes built from a view (its capacity
// is then `n`), when it does not fit inside the string itself.
size_t StringHeapBytes(size_t n) {
  static const size_t kInline = std::string().capacity();
  return n > kInline ? Allocated(n + 1) : 0;
}

std::optional<SampleRefusal> NameProblem(std::string_view metric) {
  if (metric.size() > HealthWindow::kMaxNameBytes) {
    return SampleRefusal::kNameTooLong;
  }
  if (!plan_internal::IsValidMetricName(metric)) return SampleRefusal::kBadName;
  return std::nullopt;
}

}  // namespace

std::string_view SampleRefusalName(SampleRefusal reason) {
  switch (reason) {
    case SampleRefusal::kNameTooLong:
      return "name_too_long";
    case SampleRefusal::kBadName:
      return "bad_name";
    case SampleRefusal::kErrorTooLong:
      return "error_too_long";
    case SampleRefusal::kNotFinite:
      return "not_finite";
    case SampleRefusal::kTooManySeries:
      return "too_many_series";
    case SampleRefusal::kBudget:
      return "budget";
  }
  return "unknown";
}

int HealthWindow::Outcome::refused_total() const {
  int total = 0;
  for (int n : refused) total += n;
  return total;
}

HealthWindow::HealthWindow(Options options) : options_(options) {}

size_t HealthWindow::HostBytes(size_t host_id_bytes) {
  return TreeNodeBytes<std::pair<const std::string, HostSeries>>() +
         StringHeapBytes(host_id_bytes);
}

size_t HealthWindow::SeriesBytes(size_t name_bytes) {
  return TreeNodeBytes<std::pair<const std::string, Series>>() +
         StringHeapBytes(name_bytes) +
         Allocated(kSamplesPerSeries * sizeof(Point));
}

size_t HealthWindow::MaxBytesPerHost(size_t host_id_bytes) {
  return HostBytes(host_id_bytes) +
         kMaxSeriesPerHost * SeriesBytes(kMaxNameBytes);
}

HealthWindow::Shard& HealthWindow::ShardFor(std::string_view host) const {
  return shards_[std::hash<std::string_view>{}(host) % kShards];
}

bool HealthWindow::Reserve(size_t n) {
  size_t kept = bytes_.load(std::memory_order_relaxed);
  do {
    if (kept + n > options_.max_bytes) return false;
  } while (
      !bytes_.compare_exchange_weak(kept, kept + n, std::memory_order_relaxed));
  return true;
}

void HealthWindow::Release(size_t n) {
  bytes_.fetch_sub(n, std::memory_order_relaxed);
}

bool HealthWindow::SweepDue(absl::Time at) {
  const int64_t now = absl::ToUnixNanos(at);
  int64_t due = next_sweep_ns_.load(std::memory_order_relaxed);
  do {
    if (now < due) return false;
  } while (!next_sweep_ns_.compare_exchange_weak(
      due, absl::ToUnixNanos(at + kSweepEvery), std::memory_order_relaxed));
  return true;
}

size_t HealthWindow::EvictIdle(absl::Time before) {
  size_t evicted = 0;
  for (Shard& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard.mu);
    for (auto it = shard.hosts.begin(); it != shard.hosts.end();) {
      if (it->second.newest < before) {
        Release(it->second.bytes);
        shard.changes.Note(it->first, it->second.changed);
        it = shard.hosts.erase(it);
        ++shard.forgets;
        ++evicted;
      } else {
        ++it;
      }
    }
  }
  hosts_evicted_.fetch_add(evicted, std::memory_order_relaxed);
  return evicted;
}

HealthWindow::Outcome HealthWindow::Record(
    std::string_view host, const swell::v1::HealthReport& report,
    absl::Time at) {
  Outcome out;
  for (const auto& s : report.samples()) {
    std::optional<SampleRefusal> refusal;
    if (s.error().size() > kMaxErrorBytes) {
      refusal = SampleRefusal::kErrorTooLong;
    } else {
      refusal = Record(host, s.name(), Point{at, s.ok(), s.value()});
    }
    if (!refusal) {
      ++out.recorded;
      continue;
    }
    ++out.refused[static_cast<size_t>(*refusal)];
    if (!out.first_refusal) {
      out.first_refusal = refusal;
      out.first_refused_name_bytes = s.name().size();
      out.first_refused_name = s.name().substr(0, kLoggedNameBytes);
    }
  }
  return out;
}

std::optional<SampleRefusal> HealthWindow::Record(std::string_view host,
                                                  std::string_view metric,
                                                  Point p) {
  if (std::optional<SampleRefusal> problem = NameProblem(metric)) {
    return problem;
  }
  if (!std::isfinite(p.value)) {
    if (p.ok) return SampleRefusal::kNotFinite;
    p.value = 0;  // a failed sample's value means nothing
  }
  Shard& shard = ShardFor(host);
  for (bool swept = false;; swept = true) {
    std::unique_lock<std::mutex> lock(shard.mu);
    auto h = shard.hosts.find(host);
    Series* series = nullptr;
    if (h != shard.hosts.end()) {
      auto m = h->second.metrics.find(metric);
      if (m != h->second.metrics.end()) series = &m->second;
    }
    if (series == nullptr) {
      // A new series, perhaps of a new host: take its memory now, or refuse.
      if (h != shard.hosts.end() &&
          h->second.metrics.size() >= kMaxSeriesPerHost) {
        return SampleRefusal::kTooManySeries;
      }
      const size_t series_bytes = SeriesBytes(metric.size());
      const size_t host_bytes =
          h == shard.hosts.end() ? HostBytes(host.size()) : 0;
      if (!Reserve(series_bytes + host_bytes)) {
        if (swept || !SweepDue(p.at)) return SampleRefusal::kBudget;
        lock.unlock();  // the sweep locks every shard, one at a time
        EvictIdle(p.at - options_.idle_after);
        continue;
      }
      if (h == shard.hosts.end()) {
        h = shard.hosts.emplace(std::string(host), HostSeries()).first;
      }
      h->second.bytes += host_bytes + series_bytes;
      series = &h->second.metrics.emplace(std::string(metric), Series())
                    .first->second;
      series->ring.reserve(kSamplesPerSeries);
    }
    if (series->ring.size() < kSamplesPerSeries) {
      series->ring.push_back(p);
    } else {
      series->ring[series->next] = p;
      series->next = (series->next + 1) % kSamplesPerSeries;
    }
    h->second.newest = std::max(h->second.newest, p.at);
    h->second.changed = shard.changes.Note(h->first, h->second.changed);
    return std::nullopt;
  }
}

const HealthWindow::Series* HealthWindow::FindSeries(const Shard& shard,
                                                     std::string_view host,
                                                     std::string_view metric) {
  auto h = shard.hosts.find(host);
  if (h == shard.hosts.end()) return nullptr;
  auto m = h->second.metrics.find(metric);
  return m == h->second.metrics.end() ? nullptr : &m->second;
}

std::optional<HealthWindow::Point> HealthWindow::Series::Newest() const {
  if (ring.empty()) return std::nullopt;
  return ring.size() < kSamplesPerSeries
             ? ring.back()
             : ring[(next + kSamplesPerSeries - 1) % kSamplesPerSeries];
}

void HealthWindow::Series::AppendSince(absl::Time since,
                                       std::vector<Point>* out) const {
  const size_t n = ring.size();
  const size_t oldest = n < kSamplesPerSeries ? 0 : next;
  for (size_t i = 0; i < n; ++i) {
    const Point& p = ring[(oldest + i) % n];
    if (p.at >= since) out->push_back(p);
  }
}

std::optional<HealthWindow::Point> HealthWindow::Latest(
    std::string_view host, std::string_view metric, absl::Time since) const {
  Shard& shard = ShardFor(host);
  std::lock_guard<std::mutex> lock(shard.mu);
  const Series* s = FindSeries(shard, host, metric);
  if (s == nullptr) return std::nullopt;
  std::optional<Point> newest = s->Newest();
  if (!newest || newest->at < since) return std::nullopt;
  return newest;
}

std::vector<HealthWindow::Point> HealthWindow::Since(std::string_view host,
                                                     std::string_view metric,
                                                     absl::Time since) const {
  std::vector<Point> out;
  Shard& shard = ShardFor(host);
  std::lock_guard<std::mutex> lock(shard.mu);
  const Series* s = FindSeries(shard, host, metric);
  if (s != nullptr) s->AppendSince(since, &out);
  return out;
}

void HealthWindow::Erase(std::string_view host) {
  Shard& shard = ShardFor(host);
  std::lock_guard<std::mutex> lock(shard.mu);
  auto h = shard.hosts.find(host);
  if (h == shard.hosts.end()) return;
  Release(h->second.bytes);
  shard.changes.Note(h->first, h->second.changed);
  shard.hosts.erase(h);
  ++shard.forgets;
}

size_t HealthWindow::BytesKept(std::string_view host) const {
  Shard& shard = ShardFor(host);
  std::lock_guard<std::mutex> lock(shard.mu);
  auto h = shard.hosts.find(host);
  return h == shard.hosts.end() ? 0 : h->second.bytes;
}

}  // namespace swell::controller
