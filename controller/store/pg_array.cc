#include "controller/store/pg_array.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace swell::controller {

void PgArray::Separate() {
  if (!empty_) literal_.push_back(',');
  empty_ = false;
}

void PgArray::AddText(std::string_view text) {
  Separate();
  literal_.push_back('"');
  for (char c : text) {
    if (c == '"' || c == '\\') literal_.push_back('\\');
    literal_.push_back(c);
  }
  literal_.push_back('"');
}

void PgArray::AddBytes(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  Separate();
  // The element is \x<hex>; its backslash is escaped for the array parser.
  literal_.append("\"\\\\x");
  for (unsigned char c : bytes) {
    literal_.push_back(kHex[c >> 4]);
    literal_.push_back(kHex[c & 0xF]);
  }
  literal_.push_back('"');
}

void PgArray::AddInt(int64_t value) {
  Separate();
  absl::StrAppend(&literal_, value);
}

void PgArray::AddBool(bool value) {
  Separate();
  literal_.push_back(value ? 't' : 'f');
}

void PgArray::AddNull() {
  Separate();
  literal_.append("NULL");
}

std::string PgArray::Finish() && {
  literal_.push_back('}');
  return std::move(literal_);
}

}  // namespace swell::controller
