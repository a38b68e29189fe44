#pragma once

// Pure text formatting for swellctl: durations, ages, progress bars, tables
// and wrapped lists. Nothing here reads the clock or the terminal; callers
// pass "now" and widths in, so every function is deterministic.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace swell::cli {

// A compact duration with at most two units, truncated, never rounded up:
// "0s", "850ms", "45s", "3m12s", "3m", "1h2m", "2d3h". Negative durations
// get a leading '-'; an infinite one is "forever".
std::string ShortDuration(absl::Duration d);

// How long ago `then_unix_ms` was, as ShortDuration. "-" when the time is
// unknown (0 or negative); times in the future (clock skew) count as "0s".
std::string FormatAge(int64_t then_unix_ms, absl::Time now);

// "in 3m12s" for a time ahead of now, "3m12s ago" for one behind it, "-"
// when unknown (0 or negative).
std::string FormatRelative(int64_t unix_ms, absl::Time now);

// A bar of `width` cells between brackets showing a wave's hosts:
// '#' converged, '!' failed, '~' admitted and still applying, '.' not yet
// admitted. Counts are clamped so the bar always has exactly `width` cells;
// a non-empty group never disappears entirely while it fits.
// Example (width 10): "[###!~~....]".
std::string ProgressBar(int converged, int failed, int admitted, int total,
                        int width);

// "1 host", "3 hosts".
std::string Plural(int64_t n, absl::string_view singular,
                   absl::string_view plural);

// Joins `items` with ", " into lines that end by column `width` when they
// start at column `indent` (an item too long for that gets a line to
// itself). Lines after the first start with `indent` spaces; the first is
// returned bare, for the caller to print after a label `indent` wide.
std::vector<std::string> WrapList(const std::vector<std::string>& items,
                                  int width, int indent);

// Replaces every run of newlines (and surrounding spaces) with "; " so that
// a message fits on one line.
std::string OneLine(absl::string_view text);

// A left-aligned text table: columns separated by two spaces, the last
// column not padded. Rows shorter than the header are padded with "".
class Table {
 public:
  explicit Table(std::vector<std::string> header);

  void AddRow(std::vector<std::string> row);
  size_t row_count() const { return rows_.size(); }

  // Every row, header first, each ending with '\n'.
  std::string Render() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace swell::cli
