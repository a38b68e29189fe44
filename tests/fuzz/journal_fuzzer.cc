// The agent's journal reader: the bytes are a journal file left by an
// earlier run, which Journal::Open reads (torn tail included). Then one
// outcome is appended, small enough a compaction threshold that appending
// often rewrites the file, and a second Open must read back what the first
// one held.

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "agent/journal.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

using swell::agent::Journal;
using swell::agent::JournalIntent;
using swell::agent::JournalOutcome;

constexpr size_t kCompactAbove = 512;

// A directory of this process's own under $TMPDIR (or /tmp); a tmpfs keeps
// the journal's fsyncs cheap.
const std::string& JournalPath() {
  static const std::string* path = [] {
    const char* tmp = std::getenv("TMPDIR");
    std::string dir = std::string(tmp != nullptr && *tmp ? tmp : "/tmp") +
                      "/swell-journal-fuzz-XXXXXX";
    if (mkdtemp(dir.data()) == nullptr) {
      std::perror("mkdtemp");
      std::abort();
    }
    return new std::string(dir + "/journal.log");
  }();
  return *path;
}

void WriteFileOrDie(const std::string& path, std::string_view data) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) std::abort();
  while (!data.empty()) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n <= 0) std::abort();
    data.remove_prefix(static_cast<size_t>(n));
  }
  close(fd);
}

std::unique_ptr<Journal> OpenOrDie(const std::string& path) {
  absl::StatusOr<std::unique_ptr<Journal>> journal =
      Journal::Open(path, kCompactAbove);
  if (!journal.ok()) {
    std::fprintf(stderr, "open: %s\n",
                 std::string(journal.status().message()).c_str());
    std::abort();
  }
  return *std::move(journal);
}

bool SameOutcome(const std::optional<JournalOutcome>& a,
                 const std::optional<JournalOutcome>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || (a->generation == b->generation && a->ok == b->ok &&
                a->message == b->message);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  swell::fuzz::SilenceLogs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& path = JournalPath();
  WriteFileOrDie(path, swell::fuzz::AsText(data, size));
  std::unique_ptr<Journal> first = OpenOrDie(path);
  const std::vector<JournalIntent> interrupted = first->InterruptedAtOpen();
  for (const JournalIntent& i : interrupted) {
    (void)first->OpenSteps(i.variable);
    (void)first->LastOutcome(i.variable);
  }

  // Close the first interrupted apply (or a variable of its own) with an
  // outcome whose text needs escaping.
  const std::string closed = interrupted.empty() ? std::string("fuzz\tvar\\")
                                                 : interrupted[0].variable;
  const JournalOutcome outcome{
      interrupted.empty() ? 1 : interrupted[0].generation, false,
      "failed:\n\tline two\\"};
  if (!first->RecordOutcome(closed, outcome).ok()) std::abort();

  // What the first journal holds now is what a second Open reads.
  std::unique_ptr<Journal> second = OpenOrDie(path);
  if (!SameOutcome(second->LastOutcome(closed), outcome)) __builtin_trap();
  if (!second->OpenSteps(closed).empty()) __builtin_trap();
  for (const JournalIntent& i : interrupted) {
    if (!SameOutcome(second->LastOutcome(i.variable),
                     first->LastOutcome(i.variable)) ||
        second->OpenSteps(i.variable) != first->OpenSteps(i.variable)) {
      __builtin_trap();
    }
  }
  // Every interrupted apply but the closed one is still interrupted.
  const size_t still_open = interrupted.empty() ? 0 : interrupted.size() - 1;
  if (second->InterruptedAtOpen().size() != still_open) __builtin_trap();
  return 0;
}
