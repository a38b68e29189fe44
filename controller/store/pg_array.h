#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace swell::controller {

// Builds the text form of a one-dimensional PostgreSQL array ("{...}"), to
// be passed as ONE query parameter and cast in SQL ($1::text[],
// $2::bytea[], ...). This sends thousands of rows in one statement while
// keeping every value out of the SQL text.
//
// Text must not contain NUL bytes: libpq ends a text parameter at the first
// one (callers check with CheckTransmittable first).
class PgArray {
 public:
  PgArray() { literal_.push_back('{'); }

  void AddText(std::string_view text);
  // Raw bytes, for a bytea[] cast: written in bytea's hex form.
  void AddBytes(std::string_view bytes);
  void AddInt(int64_t value);
  void AddBool(bool value);
  void AddNull();

  bool empty() const { return empty_; }

  // The literal; the builder must not be used afterwards.
  std::string Finish() &&;

 private:
  void Separate();

  std::string literal_;
  bool empty_ = true;
};

}  // namespace swell::controller
