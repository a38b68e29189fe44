#pragma once

#include <cstdint>

namespace swell::testing {

// What this process holds through operator new, counted by a replacement
// operator new/delete linked into the test binary (heap_counter.cc): the
// usable size of every live block, and how many blocks. Lets a test compare
// a structure's own accounting of its memory with what it really holds.
// Thread-safe.
struct HeapUse {
  int64_t bytes = 0;
  int64_t blocks = 0;
};
HeapUse LiveHeap();

}  // namespace swell::testing
