#include "agent/collectors/prom_text.h"

#include <cmath>
#include <limits>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace swell::agent {
namespace {

bool IsNameStart(char c) {
  return absl::ascii_isalpha(static_cast<unsigned char>(c)) || c == '_' ||
         c == ':';
}
bool IsNameChar(char c) {
  return IsNameStart(c) || absl::ascii_isdigit(static_cast<unsigned char>(c));
}

void SkipBlanks(absl::string_view& s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
}

absl::string_view TakeName(absl::string_view& s) {
  size_t n = 0;
  if (!s.empty() && IsNameStart(s[0])) {
    n = 1;
    while (n < s.size() && IsNameChar(s[n])) ++n;
  }
  absl::string_view name = s.substr(0, n);
  s.remove_prefix(n);
  return name;
}

// Parses `"value"` with escapes from the front of `s`.
bool TakeQuoted(absl::string_view& s, std::string& out) {
  if (s.empty() || s.front() != '"') return false;
  s.remove_prefix(1);
  while (!s.empty()) {
    char c = s.front();
    s.remove_prefix(1);
    if (c == '"') return true;
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (s.empty()) return false;
    char e = s.front();
    s.remove_prefix(1);
    if (e == 'n') {
      out.push_back('\n');
    } else if (e == '\\' || e == '"') {
      out.push_back(e);
    } else {
      return false;
    }
  }
  return false;
}

// Parses `{a="x",b="y",}` from the front of `s` into `labels`.
absl::Status TakeLabels(absl::string_view& s,
                        std::map<std::string, std::string>& labels) {
  s.remove_prefix(1);  // '{'
  while (true) {
    SkipBlanks(s);
    if (!s.empty() && s.front() == '}') {
      s.remove_prefix(1);
      return absl::OkStatus();
    }
    absl::string_view key = TakeName(s);
    if (key.empty()) return absl::InvalidArgumentError("bad label name");
    SkipBlanks(s);
    if (s.empty() || s.front() != '=') {
      return absl::InvalidArgumentError(
          absl::StrCat("expected '=' after label ", key));
    }
    s.remove_prefix(1);
    SkipBlanks(s);
    std::string value;
    if (!TakeQuoted(s, value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad quoted value for label ", key));
    }
    if (!labels.emplace(std::string(key), std::move(value)).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("label ", key, " given twice"));
    }
    SkipBlanks(s);
    if (!s.empty() && s.front() == ',') {
      s.remove_prefix(1);
    } else if (s.empty() || s.front() != '}') {
      return absl::InvalidArgumentError("expected ',' or '}' in labels");
    }
  }
}

bool ParseValue(absl::string_view text, double& out) {
  if (text == "NaN") {
    out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (text == "+Inf" || text == "Inf") {
    out = std::numeric_limits<double>::infinity();
    return true;
  }
  if (text == "-Inf") {
    out = -std::numeric_limits<double>::infinity();
    return true;
  }
  // SimpleAtod would also take "nan"/"inf" spellings the format does not.
  if (text.empty() ||
      absl::ascii_isalpha(static_cast<unsigned char>(text.back()))) {
    return false;
  }
  return absl::SimpleAtod(text, &out);
}

absl::StatusOr<PromSeries> ParseSeriesLine(absl::string_view s) {
  PromSeries series;
  series.name = std::string(TakeName(s));
  if (series.name.empty()) return absl::InvalidArgumentError("bad metric name");
  SkipBlanks(s);
  if (!s.empty() && s.front() == '{') {
    if (absl::Status st = TakeLabels(s, series.labels); !st.ok()) return st;
  }
  std::vector<absl::string_view> rest =
      absl::StrSplit(s, absl::ByAnyChar(" \t"), absl::SkipEmpty());
  if (rest.empty() || rest.size() > 2) {
    return absl::InvalidArgumentError(
        "expected a value and optional timestamp");
  }
  if (!ParseValue(rest[0], series.value)) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad value '", rest[0].substr(0, 40), "'"));
  }
  if (rest.size() == 2) {
    int64_t ts;
    if (!absl::SimpleAtoi(rest[1], &ts)) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad timestamp '", rest[1].substr(0, 40), "'"));
    }
    series.timestamp_ms = ts;
  }
  return series;
}

}  // namespace

absl::StatusOr<std::vector<PromSeries>> ParsePromText(absl::string_view text) {
  std::vector<PromSeries> out;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    SkipBlanks(line);
    if (line.empty() || line.front() == '#') continue;
    absl::StatusOr<PromSeries> series = ParseSeriesLine(line);
    if (!series.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "metrics line ", line_no, ": ", series.status().message()));
    }
    out.push_back(*std::move(series));
  }
  return out;
}

absl::StatusOr<double> SumMatching(const std::vector<PromSeries>& series,
                                   const PromSelector& selector) {
  double sum = 0;
  bool any = false;
  for (const PromSeries& s : series) {
    if (s.name != selector.metric) continue;
    bool match = true;
    for (const auto& [k, v] : selector.labels) {
      auto it = s.labels.find(k);
      if (it == s.labels.end() || it->second != v) {
        match = false;
        break;
      }
    }
    if (!match) continue;
    sum += s.value;
    any = true;
  }
  if (!any) {
    return absl::NotFoundError(
        absl::StrCat("no series of ", selector.metric, " matches"));
  }
  return sum;
}

bool IsPromMetricName(absl::string_view name) {
  absl::string_view rest = name;
  return !TakeName(rest).empty() && rest.empty();
}

}  // namespace swell::agent
