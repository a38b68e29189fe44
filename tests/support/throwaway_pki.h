#pragma once

// A certificate authority for one test: made at test time with Debian's
// `openssl` command, in a directory the caller owns (a test's temporary
// directory), so that no private key is ever committed.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace swell::test_support {

// A certificate and its private key, as PEM files.
struct IssuedCertificate {
  std::string cert_file;
  std::string key_file;
};

// Not thread-safe. Keys are ECDSA P-256; certificates are valid from now
// for two days.
class ThrowawayPki {
 public:
  // Makes a CA named `name` in `dir` (which must exist): <name>-ca.pem and
  // <name>-ca.key. kInternal with openssl's output when it fails, or
  // kFailedPrecondition when openssl is missing.
  [[nodiscard]] static absl::StatusOr<ThrowawayPki> Create(
      const std::string& dir, const std::string& name);

  // The CA's certificate, the file a client trusts.
  const std::string& ca_file() const { return ca_.cert_file; }

  // Issues a server certificate (extendedKeyUsage serverAuth) whose
  // subjectAltNames are `dns_names` and `ip_addresses`, as
  // <dir>/<file_stem>.pem and .key.
  [[nodiscard]] absl::StatusOr<IssuedCertificate> IssueServer(
      const std::string& file_stem, const std::vector<std::string>& dns_names,
      const std::vector<std::string>& ip_addresses);

  // Issues a host's client certificate (extendedKeyUsage clientAuth) whose
  // one subjectAltName is DNS:`host_id`, as <dir>/<file_stem>.pem and .key.
  [[nodiscard]] absl::StatusOr<IssuedCertificate> IssueClient(
      const std::string& file_stem, const std::string& host_id);

  // Like IssueClient, but expired: its notAfter lies a day in the past
  // (before its notBefore, which openssl's x509 cannot set), so that any
  // verifier refuses it as expired.
  [[nodiscard]] absl::StatusOr<IssuedCertificate> IssueExpiredClient(
      const std::string& file_stem, const std::string& host_id);

 private:
  // Issues a certificate for `names` ("DNS:x", "IP:y"; the first is also
  // its CN) with extendedKeyUsage `usage`, valid for `days` from now.
  absl::StatusOr<IssuedCertificate> Issue(const std::string& file_stem,
                                          const std::vector<std::string>& names,
                                          const std::string& usage,
                                          const std::string& days = kDays);

  static constexpr char kDays[] = "2";

  ThrowawayPki(std::string dir, IssuedCertificate ca)
      : dir_(std::move(dir)), ca_(std::move(ca)) {}

  std::string dir_;
  IssuedCertificate ca_;
  int next_serial_ = 2;  // the CA is 1
};

}  // namespace swell::test_support
