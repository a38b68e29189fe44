#pragma once

#include <string_view>

namespace swell::controller {

// Whether `text` is one JSON document (RFC 8259) that PostgreSQL's jsonb
// accepts: any value at the top level, no "\u0000" escape, no unpaired
// surrogate escape. `text` must already be valid UTF-8.
//
// Two differences remain, both far from any evidence Swell writes: nesting
// deeper than kMaxJsonDepth is refused here (PostgreSQL goes on to its stack
// limit), and numbers beyond PostgreSQL's numeric type (from about 1e131072,
// or with over 16383 digits after the point) pass here but are refused
// there.
inline constexpr int kMaxJsonDepth = 1000;
bool IsJsonbDocument(std::string_view text);

}  // namespace swell::controller
