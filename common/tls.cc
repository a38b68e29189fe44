#include "common/tls.h"

#include <arpa/inet.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "grpc/grpc_security_constants.h"
#include "grpcpp/security/auth_context.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_credentials_options.h"

namespace swell::common {
namespace {

using grpc::experimental::FileWatcherCertificateProvider;

absl::StatusOr<std::string> ReadPem(const std::string& flag,
                                    const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": cannot read ", path));
  }
  std::stringstream text;
  text << in.rdbuf();
  if (!absl::StrContains(text.str(), "-----BEGIN ")) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": ", path, " is not a PEM file"));
  }
  return text.str();
}

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

std::unique_ptr<BIO, BioDeleter> MemoryBio(const std::string& pem) {
  return std::unique_ptr<BIO, BioDeleter>(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// Checks that `files` holds a certificate and the private key that matches
// it.
absl::Status CheckKeyPair(const TlsFiles& files) {
  const std::string cert_flag = absl::StrCat(files.flag_prefix, "cert");
  const std::string key_flag = absl::StrCat(files.flag_prefix, "key");
  if (files.cert.empty() != files.key.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(cert_flag, " and ", key_flag, ": give both or neither"));
  }
  auto cert_pem = ReadPem(cert_flag, files.cert);
  if (!cert_pem.ok()) return cert_pem.status();
  auto key_pem = ReadPem(key_flag, files.key);
  if (!key_pem.ok()) return key_pem.status();
  std::unique_ptr<X509, X509Deleter> cert(
      PEM_read_bio_X509(MemoryBio(*cert_pem).get(), nullptr, nullptr, nullptr));
  if (cert == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        cert_flag, ": ", files.cert, " holds no X.509 certificate"));
  }
  std::unique_ptr<EVP_PKEY, KeyDeleter> key(PEM_read_bio_PrivateKey(
      MemoryBio(*key_pem).get(), nullptr, nullptr, nullptr));
  if (key == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        key_flag, ": ", files.key, " holds no unencrypted private key"));
  }
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(key_flag, ": ", files.key,
                     " is not the key of the certificate in ", files.cert));
  }
  return absl::OkStatus();
}

absl::Status CheckCa(const TlsFiles& files) {
  const std::string flag = files.ca_flag.empty()
                               ? absl::StrCat(files.flag_prefix, "ca")
                               : files.ca_flag;
  auto pem = ReadPem(flag, files.ca);
  if (!pem.ok()) return pem.status();
  std::unique_ptr<X509, X509Deleter> cert(
      PEM_read_bio_X509(MemoryBio(*pem).get(), nullptr, nullptr, nullptr));
  if (cert == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": ", files.ca, " holds no X.509 certificate"));
  }
  return absl::OkStatus();
}

// A host's certificate names its host id in exactly one DNS
// subjectAltName.
absl::StatusOr<std::string> OneHostId(const std::vector<std::string>& names) {
  if (names.size() != 1) {
    return absl::PermissionDeniedError(absl::StrCat(
        "a host's certificate must carry exactly one DNS subjectAltName, "
        "its host id; this one has ",
        names.empty() ? "none" : absl::StrJoin(names, ", ")));
  }
  return names.front();
}

}  // namespace

absl::Status CheckServerTlsFiles(const TlsFiles& files, bool need_ca) {
  if (files.cert.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(files.flag_prefix, "cert: required"));
  }
  if (absl::Status s = CheckKeyPair(files); !s.ok()) return s;
  if (need_ca) return CheckCa(files);
  if (!files.ca.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(files.flag_prefix, "ca: not used by this listener"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> TlsServerCredentials(
    const TlsFiles& files, bool require_client_cert) {
  if (absl::Status s = CheckServerTlsFiles(files, require_client_cert);
      !s.ok()) {
    return s;
  }
  auto provider =
      require_client_cert
          ? std::make_shared<FileWatcherCertificateProvider>(
                files.key, files.cert, files.ca, files.refresh_seconds)
          : std::make_shared<FileWatcherCertificateProvider>(
                files.key, files.cert, files.refresh_seconds);
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  if (require_client_cert) {
    options.watch_root_certs();
    options.set_cert_request_type(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  } else {
    options.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  }
  return grpc::experimental::TlsServerCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> TlsChannelCredentials(
    const TlsFiles& files) {
  if (files.ca.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(files.flag_prefix, "ca: required"));
  }
  if (absl::Status s = CheckCa(files); !s.ok()) return s;
  const bool identity = !files.cert.empty() || !files.key.empty();
  if (identity) {
    if (absl::Status s = CheckKeyPair(files); !s.ok()) return s;
  }
  auto provider =
      identity ? std::make_shared<FileWatcherCertificateProvider>(
                     files.key, files.cert, files.ca, files.refresh_seconds)
               : std::make_shared<FileWatcherCertificateProvider>(
                     files.ca, files.refresh_seconds);
  grpc::experimental::TlsChannelCredentialsOptions options;
  options.set_certificate_provider(provider);
  options.watch_root_certs();
  if (identity) options.watch_identity_key_cert_pairs();
  return grpc::experimental::TlsCredentials(options);
}

absl::StatusOr<std::string> PeerHostId(const grpc::AuthContext& auth) {
  if (!auth.IsPeerAuthenticated()) {
    return absl::PermissionDeniedError(
        "the peer presented no verified client certificate");
  }
  std::vector<std::string> names;
  for (const grpc::string_ref& name :
       auth.FindPropertyValues(GRPC_PEER_DNS_PROPERTY_NAME)) {
    names.emplace_back(name.data(), name.size());
  }
  return OneHostId(names);
}

absl::StatusOr<std::string> CertificateHostId(X509* cert) {
  if (cert == nullptr) {
    return absl::PermissionDeniedError(
        "the peer presented no verified client certificate");
  }
  std::vector<std::string> names;
  auto* sans = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; sans != nullptr && i < sk_GENERAL_NAME_num(sans); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(sans, i);
    if (name->type != GEN_DNS) continue;
    const ASN1_IA5STRING* dns = name->d.dNSName;
    names.emplace_back(
        reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
        static_cast<size_t>(ASN1_STRING_length(dns)));
  }
  GENERAL_NAMES_free(sans);
  return OneHostId(names);
}

bool IsLoopbackAddress(const std::string& listen) {
  std::string host = listen;
  if (!host.empty() && host.front() == '[') {  // [::1]:7070
    const size_t close = host.find(']');
    if (close == std::string::npos) return false;
    host = host.substr(1, close - 1);
  } else if (const size_t colon = host.rfind(':');
             colon != std::string::npos && host.find(':') == colon) {
    host = host.substr(0, colon);
  }
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    return IN6_IS_ADDR_LOOPBACK(&v6);
  }
  return false;
}

}  // namespace swell::common
