#include "tests/support/throwaway_pki.h"

#include <unistd.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tests/support/shell.h"

namespace swell::test_support {
namespace {

constexpr char kOpenssl[] = "/usr/bin/openssl";

// The config openssl reads for one certificate: its subject, and the
// extensions of section `v3`.
absl::Status WriteConfig(const std::string& path, const std::string& cn,
                         const std::vector<std::string>& extensions) {
  std::ofstream out(path);
  out << "[req]\ndistinguished_name = dn\nprompt = no\n"
      << "[dn]\nCN = " << cn << "\n"
      << "[v3]\n"
      << absl::StrJoin(extensions, "\n") << "\n";
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

absl::Status Openssl(std::vector<std::string> args, const std::string& dir) {
  args.insert(args.begin(), kOpenssl);
  absl::StatusOr<ShellResult> r = RunShell(args, dir);
  if (!r.ok()) return r.status();
  if (r->exit_code != 0) {
    return absl::InternalError(
        absl::StrCat(absl::StrJoin(args, " "), " failed: ", r->output));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ThrowawayPki> ThrowawayPki::Create(const std::string& dir,
                                                  const std::string& name) {
  if (access(kOpenssl, X_OK) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("no ", kOpenssl,
                     ": install the Debian package openssl "
                     "(deploy/install-deps.sh)"));
  }
  IssuedCertificate ca{absl::StrCat(dir, "/", name, "-ca.pem"),
                       absl::StrCat(dir, "/", name, "-ca.key")};
  const std::string config = absl::StrCat(dir, "/", name, "-ca.cnf");
  if (absl::Status s = WriteConfig(config, absl::StrCat(name, " test CA"),
                                   {"basicConstraints = critical,CA:TRUE",
                                    "keyUsage = critical,keyCertSign,cRLSign",
                                    "subjectKeyIdentifier = hash"});
      !s.ok()) {
    return s;
  }
  if (absl::Status s = Openssl({"req",
                                "-x509",
                                "-new",
                                "-newkey",
                                "ec",
                                "-pkeyopt",
                                "ec_paramgen_curve:P-256",
                                "-nodes",
                                "-keyout",
                                ca.key_file,
                                "-out",
                                ca.cert_file,
                                "-days",
                                kDays,
                                "-set_serial",
                                "1",
                                "-config",
                                config,
                                "-extensions",
                                "v3"},
                               dir);
      !s.ok()) {
    return s;
  }
  return ThrowawayPki(dir, std::move(ca));
}

absl::StatusOr<IssuedCertificate> ThrowawayPki::IssueServer(
    const std::string& file_stem, const std::vector<std::string>& dns_names,
    const std::vector<std::string>& ip_addresses) {
  std::vector<std::string> names;
  for (const std::string& n : dns_names) names.push_back("DNS:" + n);
  for (const std::string& ip : ip_addresses) names.push_back("IP:" + ip);
  if (names.empty()) {
    return absl::InvalidArgumentError("a server certificate needs a name");
  }
  return Issue(file_stem, names, "serverAuth");
}

absl::StatusOr<IssuedCertificate> ThrowawayPki::IssueClient(
    const std::string& file_stem, const std::string& host_id) {
  return Issue(file_stem, {"DNS:" + host_id}, "clientAuth");
}

absl::StatusOr<IssuedCertificate> ThrowawayPki::IssueExpiredClient(
    const std::string& file_stem, const std::string& host_id) {
  return Issue(file_stem, {"DNS:" + host_id}, "clientAuth", "-1");
}

absl::StatusOr<IssuedCertificate> ThrowawayPki::Issue(
    const std::string& file_stem, const std::vector<std::string>& names,
    const std::string& usage, const std::string& days) {
  const std::string base = absl::StrCat(dir_, "/", file_stem);
  IssuedCertificate out{base + ".pem", base + ".key"};
  const std::string config = base + ".cnf";
  const std::string request = base + ".csr";
  if (absl::Status s =
          WriteConfig(config, names.front().substr(names.front().find(':') + 1),
                      {"basicConstraints = critical,CA:FALSE",
                       "keyUsage = critical,digitalSignature",
                       "extendedKeyUsage = " + usage,
                       "subjectAltName = " + absl::StrJoin(names, ","),
                       "authorityKeyIdentifier = keyid"});
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          Openssl({"req", "-new", "-newkey", "ec", "-pkeyopt",
                   "ec_paramgen_curve:P-256", "-nodes", "-keyout", out.key_file,
                   "-out", request, "-config", config},
                  dir_);
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          Openssl({"x509", "-req", "-in", request, "-CA", ca_.cert_file,
                   "-CAkey", ca_.key_file, "-set_serial",
                   std::to_string(next_serial_++), "-days", days, "-out",
                   out.cert_file, "-extfile", config, "-extensions", "v3"},
                  dir_);
      !s.ok()) {
    return s;
  }
  return out;
}

}  // namespace swell::test_support
