#include "tests/unit/core/heap_counter.h"

#include <malloc.h>

#include <atomic>
#include <cstdlib>
#include <new>

namespace swell::testing {
namespace {

std::atomic<int64_t> g_bytes{0};
std::atomic<int64_t> g_blocks{0};

void* Allocate(std::size_t n) {
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  g_bytes.fetch_add(static_cast<int64_t>(malloc_usable_size(p)),
                    std::memory_order_relaxed);
  g_blocks.fetch_add(1, std::memory_order_relaxed);
  return p;
}

void Free(void* p) {
  if (p == nullptr) return;
  g_bytes.fetch_sub(static_cast<int64_t>(malloc_usable_size(p)),
                    std::memory_order_relaxed);
  g_blocks.fetch_sub(1, std::memory_order_relaxed);
  std::free(p);
}

}  // namespace

HeapUse LiveHeap() {
  return {g_bytes.load(std::memory_order_relaxed),
          g_blocks.load(std::memory_order_relaxed)};
}

}  // namespace swell::testing

// The replaceable forms that take no alignment; the nothrow forms call
// these.
void* operator new(std::size_t n) { return swell::testing::Allocate(n); }
void* operator new[](std::size_t n) { return swell::testing::Allocate(n); }
void operator delete(void* p) noexcept { swell::testing::Free(p); }
void operator delete[](void* p) noexcept { swell::testing::Free(p); }
void operator delete(void* p, std::size_t) noexcept { swell::testing::Free(p); }
void operator delete[](void* p, std::size_t) noexcept {
  swell::testing::Free(p);
}
