#pragma once

#include <string>
#include <string_view>

namespace swell::common {

// `s` as a JSON string literal, quotes included. Bytes that are not valid
// printable ASCII are escaped as \u00XX, so the result is always valid JSON.
std::string JsonQuote(std::string_view s);

// A finite double as a JSON number; NaN and infinities as null.
std::string JsonNumber(double v);

}  // namespace swell::common
