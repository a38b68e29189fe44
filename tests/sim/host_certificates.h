#pragma once

// Hosts' client certificates, minted in process with OpenSSL's C API: one
// `openssl` command per host is far too slow for a fleet of thousands.
// What is minted mirrors deploy/make-pki.sh: an ECDSA P-256 key, and a
// certificate signed by the CA whose one DNS subjectAltName is the host id
// (the controller's rule for an agent's identity), with basicConstraints
// CA:FALSE, keyUsage digitalSignature and extendedKeyUsage clientAuth.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/security/credentials.h"

namespace swell::sim {

// The CA that issues the fleet's certificates. The flag names are only
// used in errors.
struct CaFiles {
  std::string cert;  // PEM
  std::string key;   // PEM, unencrypted
  std::string cert_flag = "--ca";
  std::string key_flag = "--ca_key";
};

// One host's key and certificate, as PEM.
struct HostKeyPair {
  std::string cert_pem;
  std::string key_pem;
};

class HostCertificateIssuer {
 public:
  // Reads the CA. kInvalidArgument naming the flag and the file when a file
  // cannot be read, is not PEM, the certificate is not a CA's, or the key
  // is not the certificate's.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<HostCertificateIssuer>>
  Load(const CaFiles& files);
  ~HostCertificateIssuer();

  // A fresh key and a certificate for `host_id`, valid from an hour ago
  // (for clocks a little behind) for `validity`. kInvalidArgument when
  // `host_id` is empty; kInternal when OpenSSL fails (e.g. on a host id
  // that is no DNS name). Not thread-safe.
  [[nodiscard]] absl::StatusOr<HostKeyPair> Issue(
      const std::string& host_id,
      absl::Duration validity = absl::Hours(24 * 7));

  // The CA's certificate (PEM), as read.
  const std::string& ca_pem() const { return ca_pem_; }

 private:
  struct OpenSslState;
  explicit HostCertificateIssuer(std::unique_ptr<OpenSslState> state,
                                 std::string ca_pem);

  std::unique_ptr<OpenSslState> state_;
  std::string ca_pem_;
};

// Channel credentials for one host, as a real agent's (mutual TLS, gRPC's
// TLS credentials), from memory instead of watched files: `root_pem`
// verifies the controller and the host presents `host`.
std::shared_ptr<grpc::ChannelCredentials> HostChannelCredentials(
    const std::string& root_pem, const HostKeyPair& host);

}  // namespace swell::sim
