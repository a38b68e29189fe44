#include "common/open_files.h"

#include <sys/resource.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace swell::common {

absl::StatusOr<OpenFileLimit> RaiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return absl::InternalError(
        absl::StrCat("getrlimit(RLIMIT_NOFILE): ", std::strerror(errno)));
  }
  if (limit.rlim_cur != limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) != 0) {
      return absl::InternalError(absl::StrCat("setrlimit(RLIMIT_NOFILE, ",
                                              limit.rlim_max,
                                              "): ", std::strerror(errno)));
    }
    limit = raised;
  }
  return OpenFileLimit{static_cast<uint64_t>(limit.rlim_cur),
                       static_cast<uint64_t>(limit.rlim_max)};
}

size_t AgentStreamCapacity(const OpenFileLimit& limit, size_t reserved) {
  if (limit.soft <= reserved + 1) return 1;
  return static_cast<size_t>(limit.soft - reserved);
}

}  // namespace swell::common
