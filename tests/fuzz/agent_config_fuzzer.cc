// The agent's --config file: the YAML loader, then the merge with no flags
// that swell-agent does next.

#include "agent/agent_config.h"
#include "tests/fuzz/fuzz_input.h"

namespace {
constexpr size_t kMaxInputBytes = 256 << 10;  // far above any real config
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  swell::fuzz::SilenceLogs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > kMaxInputBytes) return -1;
  absl::StatusOr<swell::agent::AgentConfigFile> file =
      swell::agent::ParseAgentConfigYaml(swell::fuzz::AsAbslText(data, size));
  if (!file.ok()) return 0;
  (void)swell::agent::MergeAgentConfig(*file, {}, "fuzz-host");
  return 0;
}
