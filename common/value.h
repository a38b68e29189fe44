#pragma once

#include <string>
#include <string_view>

#include "swell/v1/types.pb.h"

namespace swell::common {

// A value that is there, with the given bytes.
swell::v1::Value PresentValue(std::string_view data);
// The value of a thing that is absent (a missing file, a package not
// installed).
swell::v1::Value AbsentValue();

bool SameValue(const swell::v1::Value& a, const swell::v1::Value& b);

// A short description for people: "absent", the text itself when it is one
// short printable line (a version), else "<n> bytes, fnv <hex>".
std::string DescribeValue(const swell::v1::Value& v);

// The kind's name as plans spell it ("file", "package", ...), and back.
// Returns VARIABLE_KIND_UNSPECIFIED for an unknown name.
std::string_view KindName(swell::v1::VariableKind kind);
swell::v1::VariableKind KindFromName(std::string_view name);

}  // namespace swell::common
