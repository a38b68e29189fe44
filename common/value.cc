#include "common/value.h"

#include <cstdint>

#include "absl/strings/str_format.h"

namespace swell::common {

swell::v1::Value PresentValue(std::string_view data) {
  swell::v1::Value v;
  v.set_present(true);
  v.set_data(std::string(data));
  return v;
}

swell::v1::Value AbsentValue() { return swell::v1::Value(); }

bool SameValue(const swell::v1::Value& a, const swell::v1::Value& b) {
  if (a.present() != b.present()) return false;
  return !a.present() || a.data() == b.data();
}

std::string DescribeValue(const swell::v1::Value& v) {
  if (!v.present()) return "absent";
  const std::string& d = v.data();
  bool one_line = d.size() <= 64;
  for (char c : d) {
    if (c < 0x20 || c > 0x7e) one_line = false;
  }
  if (one_line && !d.empty()) return d;
  uint32_t h = 2166136261u;
  for (unsigned char c : d) h = (h ^ c) * 16777619u;
  return absl::StrFormat("%d bytes, fnv %08x", d.size(), h);
}

std::string_view KindName(swell::v1::VariableKind kind) {
  switch (kind) {
    case swell::v1::VARIABLE_KIND_FILE:
      return "file";
    case swell::v1::VARIABLE_KIND_PACKAGE:
      return "package";
    case swell::v1::VARIABLE_KIND_DOCKER:
      return "docker";
    case swell::v1::VARIABLE_KIND_COMMAND:
      return "command";
    default:
      return "unspecified";
  }
}

swell::v1::VariableKind KindFromName(std::string_view name) {
  if (name == "file") return swell::v1::VARIABLE_KIND_FILE;
  if (name == "package") return swell::v1::VARIABLE_KIND_PACKAGE;
  if (name == "docker") return swell::v1::VARIABLE_KIND_DOCKER;
  if (name == "command") return swell::v1::VARIABLE_KIND_COMMAND;
  return swell::v1::VARIABLE_KIND_UNSPECIFIED;
}

}  // namespace swell::common
