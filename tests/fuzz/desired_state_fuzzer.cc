// The agent's saved desired state: the bytes are the file a previous run
// left (LoadDesiredState), and what loads must save and load back equal.

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "agent/desired_state_file.h"
#include "google/protobuf/util/message_differencer.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

// A directory of this process's own under $TMPDIR (or /tmp).
const std::string& Dir() {
  static const std::string* dir = [] {
    const char* tmp = std::getenv("TMPDIR");
    std::string d = std::string(tmp != nullptr && *tmp ? tmp : "/tmp") +
                    "/swell-desired-fuzz-XXXXXX";
    if (mkdtemp(d.data()) == nullptr) {
      std::perror("mkdtemp");
      std::abort();
    }
    return new std::string(d);
  }();
  return *dir;
}

void WriteFileOrDie(const std::string& path, std::string_view data) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) std::abort();
  while (!data.empty()) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n <= 0) std::abort();
    data.remove_prefix(static_cast<size_t>(n));
  }
  close(fd);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  swell::fuzz::SilenceLogs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = Dir() + "/desired.pb";
  WriteFileOrDie(path, swell::fuzz::AsText(data, size));
  absl::StatusOr<swell::v1::DesiredState> loaded =
      swell::agent::LoadDesiredState(path);
  if (!loaded.ok()) {
    if (!absl::IsDataLoss(loaded.status())) __builtin_trap();
    return 0;
  }
  const std::string saved = Dir() + "/saved.pb";
  if (!swell::agent::SaveDesiredState(saved, *loaded).ok()) std::abort();
  absl::StatusOr<swell::v1::DesiredState> again =
      swell::agent::LoadDesiredState(saved);
  if (!again.ok() ||
      !google::protobuf::util::MessageDifferencer::Equals(*loaded, *again)) {
    __builtin_trap();
  }
  return 0;
}
