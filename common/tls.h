#pragma once

// TLS credentials for Swell's gRPC servers and clients, from PEM files that
// are re-read when they change on disk (gRPC's file-watcher certificate
// provider), so certificates rotate without a restart.
//
// Every file is checked when the credentials are made: a missing or
// unreadable file, a file that is not PEM, or a key that does not match its
// certificate is kInvalidArgument naming the flag and the file, so that a
// mistake shows at start rather than as failed handshakes later.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"

struct x509_st;  // OpenSSL's X509

namespace swell::common {

// The files of one side of a TLS connection. `flag_prefix` names them in
// errors, e.g. "--tls_" gives "--tls_cert".
struct TlsFiles {
  std::string cert;  // this side's certificate chain (PEM)
  std::string key;   // its private key (PEM)
  std::string ca;    // the CA certificates that verify the other side (PEM)
  std::string flag_prefix = "--tls_";
  std::string ca_flag = "";      // names `ca` in errors; empty: prefix + "ca"
  unsigned refresh_seconds = 5;  // how often the files are looked at again
};

// Server credentials from cert and key. When `require_client_cert`, `ca`
// is required and a client must present a certificate it verifies (mutual
// TLS); otherwise `ca` must be empty and no client certificate is asked for.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> TlsServerCredentials(
    const TlsFiles& files, bool require_client_cert);

// The checks TlsServerCredentials makes, for servers other than gRPC's
// (the pull API): cert and key required and matching; `ca` required and
// holding a certificate when `need_ca`.
absl::Status CheckServerTlsFiles(const TlsFiles& files, bool need_ca);

// Channel credentials that verify the server with `ca` (required) and, when
// cert and key are given (both or neither), present them.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> TlsChannelCredentials(
    const TlsFiles& files);

// The host id a verified client certificate carries: its one DNS
// subjectAltName. kPermissionDenied when the peer has no verified
// certificate, none or several DNS names. `auth` is the call's context.
absl::StatusOr<std::string> PeerHostId(const grpc::AuthContext& auth);

// The host id `cert` (a client certificate verified by the caller's TLS
// library) carries, by the same rule as PeerHostId.
absl::StatusOr<std::string> CertificateHostId(x509_st* cert);

// True when every address of `listen` ("host:port") is loopback:
// 127.0.0.0/8, ::1, or "localhost".
bool IsLoopbackAddress(const std::string& listen);

}  // namespace swell::common
