#include "tests/sim/host_certificates.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "agent/atomic_file.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_credentials_options.h"

namespace swell::sim {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using Extension = std::unique_ptr<X509_EXTENSION,
                                  Deleter<X509_EXTENSION, X509_EXTENSION_free>>;
using Bignum = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;

// A CA's certificate or key is a few kilobytes.
constexpr size_t kMaxPemBytes = 1 << 20;

absl::StatusOr<std::string> ReadPem(const std::string& flag,
                                    const std::string& path) {
  absl::StatusOr<std::string> text = agent::ReadFileBounded(path, kMaxPemBytes);
  if (!text.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": ", text.status().message()));
  }
  return text;
}

Bio MemoryBio(const std::string& text) {
  return Bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(n));
}

}  // namespace

struct HostCertificateIssuer::OpenSslState {
  Cert ca_cert;
  Key ca_key;
};

HostCertificateIssuer::HostCertificateIssuer(
    std::unique_ptr<OpenSslState> state, std::string ca_pem)
    : state_(std::move(state)), ca_pem_(std::move(ca_pem)) {}

HostCertificateIssuer::~HostCertificateIssuer() = default;

absl::StatusOr<std::unique_ptr<HostCertificateIssuer>>
HostCertificateIssuer::Load(const CaFiles& files) {
  absl::StatusOr<std::string> cert_pem = ReadPem(files.cert_flag, files.cert);
  if (!cert_pem.ok()) return cert_pem.status();
  absl::StatusOr<std::string> key_pem = ReadPem(files.key_flag, files.key);
  if (!key_pem.ok()) return key_pem.status();

  auto state = std::make_unique<OpenSslState>();
  Bio cert_bio = MemoryBio(*cert_pem);
  state->ca_cert.reset(
      PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  if (state->ca_cert == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        files.cert_flag, ": ", files.cert, " holds no PEM certificate"));
  }
  if (X509_check_ca(state->ca_cert.get()) == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(files.cert_flag, ": ", files.cert,
                     " is not a CA's certificate (basicConstraints CA:TRUE)"));
  }
  Bio key_bio = MemoryBio(*key_pem);
  state->ca_key.reset(
      PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (state->ca_key == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(files.key_flag, ": ", files.key,
                     " holds no unencrypted PEM private key"));
  }
  if (X509_check_private_key(state->ca_cert.get(), state->ca_key.get()) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(files.key_flag, ": ", files.key, " is not the key of ",
                     files.cert_flag, " ", files.cert));
  }
  return std::unique_ptr<HostCertificateIssuer>(
      new HostCertificateIssuer(std::move(state), *std::move(cert_pem)));
}

absl::StatusOr<HostKeyPair> HostCertificateIssuer::Issue(
    const std::string& host_id, absl::Duration validity) {
  if (host_id.empty()) {
    return absl::InvalidArgumentError("a host id must not be empty");
  }
  auto failed = [&](const char* what) {
    return absl::InternalError(
        absl::StrCat("minting the certificate of ", host_id, ": ", what));
  };

  Key key(EVP_EC_gen("P-256"));
  if (key == nullptr) return failed("EC P-256 key generation");
  Cert cert(X509_new());
  if (cert == nullptr || X509_set_version(cert.get(), 2) != 1) {
    return failed("X509_new");
  }
  // A random positive 127-bit serial, as make-pki.sh's `openssl rand -hex 16`.
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return failed("RAND_bytes");
  serial[0] &= 0x7f;
  Bignum bn(BN_bin2bn(serial, sizeof serial, nullptr));
  if (bn == nullptr ||
      BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get())) ==
          nullptr) {
    return failed("serial number");
  }
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()),
                  static_cast<long>(absl::ToInt64Seconds(validity)));
  X509_NAME* subject = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_txt(
          subject, "CN", MBSTRING_ASC,
          reinterpret_cast<const unsigned char*>(host_id.c_str()), -1, -1,
          0) != 1 ||
      X509_set_issuer_name(cert.get(),
                           X509_get_subject_name(state_->ca_cert.get())) != 1 ||
      X509_set_pubkey(cert.get(), key.get()) != 1) {
    return failed("subject, issuer or public key");
  }

  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, state_->ca_cert.get(), cert.get(), nullptr, nullptr, 0);
  const std::string san = absl::StrCat("DNS:", host_id);
  const std::vector<std::pair<int, const char*>> extensions = {
      {NID_basic_constraints, "critical,CA:FALSE"},
      {NID_key_usage, "critical,digitalSignature"},
      {NID_ext_key_usage, "clientAuth"},
      {NID_subject_alt_name, san.c_str()},
      {NID_subject_key_identifier, "hash"},
      {NID_authority_key_identifier, "keyid:always"},
  };
  for (const auto& [nid, value] : extensions) {
    Extension ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
    if (ext == nullptr || X509_add_ext(cert.get(), ext.get(), -1) != 1) {
      return failed(OBJ_nid2sn(nid));
    }
  }
  if (X509_sign(cert.get(), state_->ca_key.get(), EVP_sha256()) == 0) {
    return failed("X509_sign");
  }

  Bio cert_out(BIO_new(BIO_s_mem()));
  Bio key_out(BIO_new(BIO_s_mem()));
  if (cert_out == nullptr || key_out == nullptr ||
      PEM_write_bio_X509(cert_out.get(), cert.get()) != 1 ||
      PEM_write_bio_PrivateKey(key_out.get(), key.get(), nullptr, nullptr, 0,
                               nullptr, nullptr) != 1) {
    return failed("PEM encoding");
  }
  return HostKeyPair{BioText(cert_out.get()), BioText(key_out.get())};
}

std::shared_ptr<grpc::ChannelCredentials> HostChannelCredentials(
    const std::string& root_pem, const HostKeyPair& host) {
  auto provider =
      std::make_shared<grpc::experimental::StaticDataCertificateProvider>(
          root_pem, std::vector<grpc::experimental::IdentityKeyCertPair>{
                        {host.key_pem, host.cert_pem}});
  // The options of common::TlsChannelCredentials, which real agents use.
  grpc::experimental::TlsChannelCredentialsOptions options;
  options.set_certificate_provider(provider);
  options.watch_root_certs();
  options.watch_identity_key_cert_pairs();
  return grpc::experimental::TlsCredentials(options);
}

}  // namespace swell::sim
