#include "cli/format.h"

#include <algorithm>
#include <array>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace swell::cli {
namespace {

// Two units, the larger one first; the smaller is dropped when zero.
std::string TwoUnits(int64_t big, absl::string_view big_unit, int64_t small,
                     absl::string_view small_unit) {
  if (small == 0) return absl::StrCat(big, big_unit);
  return absl::StrCat(big, big_unit, small, small_unit);
}

// Columns are aligned by code points, so host names in UTF-8 line up too.
size_t DisplayWidth(absl::string_view s) {
  return std::count_if(s.begin(), s.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  });
}

}  // namespace

std::string ShortDuration(absl::Duration d) {
  if (d == absl::InfiniteDuration()) return "forever";
  if (d < absl::ZeroDuration()) return absl::StrCat("-", ShortDuration(-d));
  const int64_t ms = absl::ToInt64Milliseconds(d);
  if (ms < 1000) return ms == 0 ? "0s" : absl::StrCat(ms, "ms");
  const int64_t s = ms / 1000;
  if (s < 60) return absl::StrCat(s, "s");
  if (s < 3600) return TwoUnits(s / 60, "m", s % 60, "s");
  if (s < 86400) return TwoUnits(s / 3600, "h", (s % 3600) / 60, "m");
  return TwoUnits(s / 86400, "d", (s % 86400) / 3600, "h");
}

std::string FormatAge(int64_t then_unix_ms, absl::Time now) {
  if (then_unix_ms <= 0) return "-";
  const absl::Duration age = now - absl::FromUnixMillis(then_unix_ms);
  return ShortDuration(std::max(age, absl::ZeroDuration()));
}

std::string FormatRelative(int64_t unix_ms, absl::Time now) {
  if (unix_ms <= 0) return "-";
  const absl::Duration delta = absl::FromUnixMillis(unix_ms) - now;
  if (delta > absl::ZeroDuration()) {
    return absl::StrCat("in ", ShortDuration(delta));
  }
  return absl::StrCat(ShortDuration(-delta), " ago");
}

std::string ProgressBar(int converged, int failed, int admitted, int total,
                        int width) {
  width = std::max(width, 1);
  converged = std::max(converged, 0);
  failed = std::max(failed, 0);
  const int applying = std::max(admitted - converged - failed, 0);
  const int waiting =
      std::max(total - std::max(admitted, converged + failed), 0);
  constexpr std::array<char, 4> kGlyphs = {'#', '!', '~', '.'};
  const std::array<int64_t, 4> counts = {converged, failed, applying, waiting};
  const int64_t sum = counts[0] + counts[1] + counts[2] + counts[3];
  if (sum == 0) return absl::StrCat("[", std::string(width, '.'), "]");

  // Largest-remainder apportionment of the cells.
  std::array<int, 4> cells{};
  std::array<std::pair<int64_t, int>, 4> remainders{};
  int used = 0;
  for (int i = 0; i < 4; ++i) {
    cells[i] = static_cast<int>(counts[i] * width / sum);
    remainders[i] = {counts[i] * width % sum, -i};
    used += cells[i];
  }
  std::sort(remainders.rbegin(), remainders.rend());
  for (int k = 0; used < width; ++k, ++used) ++cells[-remainders[k % 4].second];

  // A failed or applying host must stay visible even in a huge wave: take a
  // cell from the largest group.
  for (int i = 0; i < 4; ++i) {
    if (counts[i] == 0 || cells[i] > 0) continue;
    const int largest = static_cast<int>(
        std::max_element(cells.begin(), cells.end()) - cells.begin());
    if (cells[largest] <= 1) break;
    --cells[largest];
    ++cells[i];
  }

  std::string bar = "[";
  for (int i = 0; i < 4; ++i) bar.append(cells[i], kGlyphs[i]);
  bar += "]";
  return bar;
}

std::string Plural(int64_t n, absl::string_view singular,
                   absl::string_view plural) {
  return absl::StrCat(n, " ", n == 1 ? singular : plural);
}

std::vector<std::string> WrapList(const std::vector<std::string>& items,
                                  int width, int indent) {
  std::vector<std::string> lines;
  std::string line;
  size_t line_width = 0;
  const size_t limit = static_cast<size_t>(std::max(width, 1));
  const size_t lead = static_cast<size_t>(std::max(indent, 0));
  for (size_t i = 0; i < items.size(); ++i) {
    const bool last = i + 1 == items.size();
    const std::string piece = last ? items[i] : absl::StrCat(items[i], ",");
    const size_t piece_width = DisplayWidth(piece);
    if (!line.empty() && lead + line_width + 1 + piece_width > limit) {
      lines.push_back(std::move(line));
      line.clear();
      line_width = 0;
    }
    if (!line.empty()) {
      line += " ";
      ++line_width;
    }
    line += piece;
    line_width += piece_width;
  }
  if (!line.empty()) lines.push_back(std::move(line));
  for (size_t i = 1; i < lines.size(); ++i) {
    lines[i].insert(0, std::string(std::max(indent, 0), ' '));
  }
  return lines;
}

std::string OneLine(absl::string_view text) {
  std::vector<absl::string_view> parts;
  for (absl::string_view part : absl::StrSplit(text, absl::ByAnyChar("\r\n"))) {
    part = absl::StripAsciiWhitespace(part);
    if (!part.empty()) parts.push_back(part);
  }
  return absl::StrJoin(parts, "; ");
}

Table::Table(std::vector<std::string> header) : header_(std::move(header)) {}

void Table::AddRow(std::vector<std::string> row) {
  row.resize(std::max(row.size(), header_.size()));
  rows_.push_back(std::move(row));
}

std::string Table::Render() const {
  std::vector<size_t> widths(header_.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(row[i]));
    }
  };
  measure(header_);
  for (const auto& row : rows_) measure(row);

  std::string out;
  auto emit = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size() && i < widths.size()) {
        line.append(widths[i] - DisplayWidth(row[i]) + 2, ' ');
      }
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line;
    out += '\n';
  };
  emit(header_);
  for (const auto& row : rows_) emit(row);
  return out;
}

}  // namespace swell::cli
