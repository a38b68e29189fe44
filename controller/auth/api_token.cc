#include "controller/auth/api_token.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace swell::controller {
namespace {

constexpr int kSecretBytes = 32;  // 256 bits
constexpr size_t kMaxNameBytes = 64;

}  // namespace

absl::StatusOr<std::string> NewTokenSecret() {
  std::array<unsigned char, kSecretBytes> bytes{};
  if (RAND_bytes(bytes.data(), kSecretBytes) != 1) {
    return absl::InternalError(
        "OpenSSL's random number generator failed; no token was made");
  }
  std::string encoded;
  absl::WebSafeBase64Escape(
      absl::string_view(reinterpret_cast<const char*>(bytes.data()),
                        bytes.size()),
      &encoded);
  return absl::StrCat(kTokenPrefix, encoded);
}

std::string TokenSha256Hex(absl::string_view token) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  // EVP_Digest fails only when OpenSSL cannot allocate or SHA-256 is
  // missing, in which case nothing could authenticate anyway.
  if (EVP_Digest(token.data(), token.size(), digest.data(), &length,
                 EVP_sha256(), nullptr) != 1 ||
      length != 32) {
    std::abort();
  }
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest.data()), length));
}

absl::Status CheckTokenName(absl::string_view name) {
  auto allowed = [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' ||
           c == '_' || c == '@' || c == '-';
  };
  bool ok = !name.empty() && name.size() <= kMaxNameBytes &&
            absl::ascii_isalnum(static_cast<unsigned char>(name.front()));
  for (char c : name) ok = ok && allowed(c);
  if (!ok) {
    return absl::InvalidArgumentError(absl::StrCat(
        "token name '", absl::CHexEscape(name.substr(0, kMaxNameBytes)),
        "': expected 1 to 64 of letters, digits and . _ @ -, starting with a "
        "letter or digit"));
  }
  return absl::OkStatus();
}

}  // namespace swell::controller
