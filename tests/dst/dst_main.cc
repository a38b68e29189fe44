// swell_dst: the seeded fault simulation (DESIGN "Testing"; issue 9).
//
//   swell_dst --seeds=N [--first=S] [--max-hosts=M]
//       runs seeds S..S+N-1; prints each failing seed as one line with the
//       command that replays it, the seeds per second, and "N passed, M
//       failed". Exits 1 when any seed failed.
//   swell_dst --seed=S --trace [--max-hosts=M]
//       replays one seed, printing every step.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

#include "spdlog/spdlog.h"
#include "tests/dst/sim_config.h"
#include "tests/dst/sim_world.h"

namespace {

struct Flags {
  uint64_t first = 1;
  uint64_t seeds = 100;
  bool trace = false;
  int max_hosts = 300;
};

bool Parse(int argc, char** argv, Flags* f) {
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&](std::string_view name) -> const char* {
      if (!a.starts_with(name)) return nullptr;
      return argv[i] + name.size();
    };
    if (const char* v = value("--seeds=")) {
      f->seeds = std::strtoull(v, nullptr, 10);
    } else if (const char* v = value("--first=")) {
      f->first = std::strtoull(v, nullptr, 10);
    } else if (const char* v = value("--seed=")) {
      f->first = std::strtoull(v, nullptr, 10);
      f->seeds = 1;
    } else if (const char* v = value("--max-hosts=")) {
      f->max_hosts = std::atoi(v);
    } else if (a == "--trace") {
      f->trace = true;
    } else {
      return false;
    }
  }
  return f->seeds > 0 && f->max_hosts > 0;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  if (!Parse(argc, argv, &flags)) {
    std::cerr << "usage: " << argv[0]
              << " --seeds=N [--first=S] | --seed=S [--trace]"
                 " [--max-hosts=M]\n";
    return 2;
  }
  // The controller's own log lines are not the trace.
  spdlog::set_level(spdlog::level::off);
  const auto started = std::chrono::steady_clock::now();
  uint64_t passed = 0, failed = 0;
  for (uint64_t seed = flags.first; seed < flags.first + flags.seeds; ++seed) {
    swell::dst::SimConfig config =
        swell::dst::DrawConfig(seed, flags.max_hosts);
    swell::dst::World world(config, flags.trace ? &std::cout : nullptr);
    std::optional<swell::dst::Violation> v = world.Run();
    if (!v) {
      ++passed;
      continue;
    }
    ++failed;
    std::cout << "FAILED seed " << seed << " at step " << v->step << ": "
              << v->what << "; replay: " << argv[0] << " --seed=" << seed
              << " --trace"
              << (flags.max_hosts != 300
                      ? " --max-hosts=" + std::to_string(flags.max_hosts)
                      : "")
              << std::endl;
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
          .count();
  std::printf("%.1f seeds/s (%llu seeds in %.2f s)\n",
              static_cast<double>(passed + failed) / secs,
              static_cast<unsigned long long>(passed + failed), secs);
  std::printf("%llu passed, %llu failed\n",
              static_cast<unsigned long long>(passed),
              static_cast<unsigned long long>(failed));
  return failed == 0 ? 0 : 1;
}
