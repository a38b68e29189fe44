#include "controller/plan/plan_values.h"

#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/http_url.h"
#include "controller/plan/absl_view.h"

namespace swell::controller::plan_internal {
namespace {

constexpr size_t kMaxNameLength = 64;
constexpr size_t kMaxUrlLength = 4096;
constexpr size_t kMaxAccountLength = 32;

bool IsLowerAlnum(char c) {
  return absl::ascii_islower(c) || absl::ascii_isdigit(c);
}

// How a control character is named in an error.
std::string ControlCharName(unsigned char c) {
  switch (c) {
    case '\0':
      return "NUL";
    case '\n':
      return "a newline";
    case '\r':
      return "a carriage return";
    case '\t':
      return "a tab";
    default:
      return absl::StrCat("the control character 0x",
                          absl::Hex(c, absl::kZeroPad2));
  }
}

}  // namespace

bool IsValidName(std::string_view s) {
  if (s.empty() || s.size() > kMaxNameLength || !IsLowerAlnum(s[0])) {
    return false;
  }
  for (char c : s) {
    if (!IsLowerAlnum(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

bool IsValidLabelKey(std::string_view s) {
  if (s.empty() || s.size() > kMaxNameLength || !absl::ascii_isalnum(s[0])) {
    return false;
  }
  for (char c : s) {
    if (!absl::ascii_isalnum(c) && c != '.' && c != '_' && c != '-' &&
        c != '/') {
      return false;
    }
  }
  return true;
}

bool IsValidMetricName(std::string_view s) {
  constexpr size_t kMaxMetricLength = 200;
  if (s.empty() || s.size() > kMaxMetricLength || absl::ascii_isdigit(s[0])) {
    return false;
  }
  for (char c : s) {
    if (!absl::ascii_isalnum(c) && c != '_' && c != ':') return false;
  }
  return true;
}

bool IsValidHttpOrHttpsUrl(std::string_view s) {
  if (s.size() > kMaxUrlLength) return false;
  for (char c : s) {
    if (!absl::ascii_isgraph(c)) return false;
  }
  return common::ParseHttpOrHttpsUrl(absl::string_view(s.data(), s.size()))
      .ok();
}

std::optional<std::string> FilePathProblem(std::string_view s) {
  if (s.size() > kMaxFilePathLength) {
    return absl::StrCat("it is ", s.size(), " bytes long; at most ",
                        kMaxFilePathLength, " allowed");
  }
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != 0x7f) continue;
    return absl::StrCat("it contains ", ControlCharName(c), " (byte ", i + 1,
                        ")");
  }
  if (s.empty() || s.front() != '/') {
    return std::string("it is not absolute (it must start with '/')");
  }
  if (s.back() == '/') {
    return std::string("it ends with '/' (a directory, not a file)");
  }
  for (absl::string_view part : absl::StrSplit(AbslView(s.substr(1)), '/')) {
    if (part.empty()) return std::string("it has an empty segment ('//')");
    if (part == "." || part == "..") {
      return absl::StrCat("it has a '", part, "' segment");
    }
  }
  return std::nullopt;
}

bool IsValidAccountName(std::string_view s) {
  if (s.empty() || s.size() > kMaxAccountLength) return false;
  for (char c : s) {
    if (!absl::ascii_isalnum(c) && c != '.' && c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

std::optional<uint32_t> ParseFileMode(std::string_view s) {
  if (s.empty() || s.size() > 4) return std::nullopt;
  uint32_t mode = 0;
  for (char c : s) {
    if (c < '0' || c > '7') return std::nullopt;
    mode = mode * 8 + static_cast<uint32_t>(c - '0');
  }
  return mode;
}

std::optional<WaveSize> ParseWaveSize(std::string_view s) {
  if (!s.empty() && s.back() == '%') {
    double percent = 0;
    if (!absl::SimpleAtod(AbslView(s.substr(0, s.size() - 1)), &percent) ||
        !std::isfinite(percent) || percent <= 0 || percent > 100) {
      return std::nullopt;
    }
    return WaveSize{.percent = true, .value = percent};
  }
  std::optional<int> count = ParseIntInRange(s, 1, kMaxWaveCount);
  if (!count) return std::nullopt;
  return WaveSize{.percent = false, .value = static_cast<double>(*count)};
}

std::optional<absl::Duration> ParseFiniteDuration(std::string_view s) {
  absl::Duration days = absl::ZeroDuration();
  // No Abseil unit contains a 'd', so one can only end a count of days.
  if (size_t d = s.find('d'); d != std::string_view::npos) {
    std::optional<double> count = ParseNumberInRange(s.substr(0, d), 0, 1e5);
    if (!count || !absl::ascii_isdigit(s[0])) return std::nullopt;
    days = absl::Hours(24) * *count;
    s.remove_prefix(d + 1);
    if (s.empty()) return days;
  }
  absl::Duration rest;
  if (!absl::ParseDuration(AbslView(s), &rest) ||
      rest == absl::InfiniteDuration() || rest == -absl::InfiniteDuration() ||
      (days > absl::ZeroDuration() && rest < absl::ZeroDuration())) {
    return std::nullopt;
  }
  return days + rest;
}

std::optional<double> ParseNumberInRange(std::string_view s, double lo,
                                         double hi) {
  double v = 0;
  if (!absl::SimpleAtod(AbslView(s), &v) || !std::isfinite(v) || v < lo ||
      v > hi) {
    return std::nullopt;
  }
  return v;
}

std::optional<bool> ParseBool(std::string_view s) {
  if (s == "true") return true;
  if (s == "false") return false;
  return std::nullopt;
}

std::optional<int> ParseIntInRange(std::string_view s, int lo, int hi) {
  int64_t v = 0;
  if (!absl::SimpleAtoi(AbslView(s), &v) || v < lo || v > hi)
    return std::nullopt;
  return static_cast<int>(v);
}

}  // namespace swell::controller::plan_internal
