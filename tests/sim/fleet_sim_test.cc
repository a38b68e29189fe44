// The simulator's own parts: which hosts get which fault, the shared timer
// queue, and the client certificates it mints.

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/tls.h"
#include "gtest/gtest.h"
#include "tests/sim/fault_plan.h"
#include "tests/sim/host_certificates.h"
#include "tests/sim/timer_queue.h"
#include "tests/support/throwaway_pki.h"
#include "tests/unit/agent/test_util.h"

namespace swell::sim {
namespace {

using ::swell::agent::testing::TempDir;
using ::swell::agent::testing::WaitFor;

int CountFaulty(uint64_t seed, const FaultFractions& fractions, int hosts,
                bool HostFaults::*fault) {
  int n = 0;
  for (int i = 0; i < hosts; ++i) {
    n += FaultsFor(seed, absl::StrCat("sim-", i), fractions).*fault;
  }
  return n;
}

TEST(FaultPlanTest, EachFaultTakesItsShareOfTheFleetIndependently) {
  FaultFractions f;
  f.unhealthy_after_change = 0.1;
  f.silent = 0.3;
  constexpr int kHosts = 10000;
  const int unhealthy =
      CountFaulty(7, f, kHosts, &HostFaults::unhealthy_after_change);
  const int silent = CountFaulty(7, f, kHosts, &HostFaults::silent);
  EXPECT_NEAR(unhealthy, 1000, 150);
  EXPECT_NEAR(silent, 3000, 250);
  EXPECT_EQ(CountFaulty(7, f, kHosts, &HostFaults::crashing), 0);
  int both = 0;
  for (int i = 0; i < kHosts; ++i) {
    HostFaults h = FaultsFor(7, absl::StrCat("sim-", i), f);
    both += h.unhealthy_after_change && h.silent;
  }
  EXPECT_NEAR(both, 300, 90);  // 0.1 * 0.3: drawn independently
}

TEST(FaultPlanTest, TheSameSeedPicksTheSameHostsAnotherSeedOthers) {
  FaultFractions f;
  f.flapping = 0.5;
  int same = 0;
  int differs = 0;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = absl::StrCat("sim-", i);
    same += FaultsFor(3, id, f).flapping == FaultsFor(3, id, f).flapping;
    differs += FaultsFor(3, id, f).flapping != FaultsFor(4, id, f).flapping;
  }
  EXPECT_EQ(same, 1000);
  EXPECT_NEAR(differs, 500, 80);
}

TEST(FaultPlanTest, FractionsZeroAndOneAreNoneAndEvery) {
  FaultFractions all;
  all.unhealthy_after_change = all.slow_apply = all.failing_apply = 1;
  all.silent = all.flapping = all.crashing = 1;
  for (int i = 0; i < 100; ++i) {
    const std::string id = absl::StrCat("h", i);
    EXPECT_FALSE(FaultsFor(1, id, FaultFractions{}).any()) << id;
    EXPECT_EQ(DescribeFaults(FaultsFor(1, id, all)),
              "unhealthy_after_change,slow_apply,failing_apply,silent,"
              "flapping,crashing");
  }
}

TEST(TimerQueueTest, RunsTasksInTheOrderOfTheirTimes) {
  TimerQueue queue;
  absl::Mutex mu;
  std::vector<int> ran;
  const absl::Time now = absl::Now();
  for (int ms : {30, 10, 20, 10}) {
    queue.At(now + absl::Milliseconds(ms), [&, ms] {
      absl::MutexLock lock(&mu);
      ran.push_back(ms);
    });
  }
  ASSERT_TRUE(WaitFor([&] {
    absl::MutexLock lock(&mu);
    return ran.size() == 4;
  }));
  absl::MutexLock lock(&mu);
  EXPECT_EQ(ran, (std::vector<int>{10, 10, 20, 30}));
}

TEST(TimerQueueTest, AfterStopNothingIsQueued) {
  TimerQueue queue(2);
  queue.After(absl::Hours(1), [] {});
  EXPECT_EQ(queue.pending(), 1u);
  queue.Stop();
  EXPECT_EQ(queue.pending(), 0u);
  queue.After(absl::ZeroDuration(), [] {});
  EXPECT_EQ(queue.pending(), 0u);
}

class HostCertificateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pki = test_support::ThrowawayPki::Create(dir_.path(), "fleet");
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = std::make_unique<test_support::ThrowawayPki>(*std::move(pki));
    // ThrowawayPki keeps the CA's key beside its certificate.
    files_.cert = pki_->ca_file();
    files_.key = dir_ / "fleet-ca.key";
  }

  TempDir dir_;
  std::unique_ptr<test_support::ThrowawayPki> pki_;
  CaFiles files_;
};

X509* ParseCertificate(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return cert;
}

TEST_F(HostCertificateTest, MintsACertificateTheControllerTakesAsTheHost) {
  auto issuer = HostCertificateIssuer::Load(files_);
  ASSERT_TRUE(issuer.ok()) << issuer.status();
  auto pair = (*issuer)->Issue("sim-42");
  ASSERT_TRUE(pair.ok()) << pair.status();

  X509* cert = ParseCertificate(pair->cert_pem);
  X509* ca = ParseCertificate((*issuer)->ca_pem());
  ASSERT_NE(cert, nullptr);
  ASSERT_NE(ca, nullptr);
  EVP_PKEY* ca_key = X509_get0_pubkey(ca);
  EXPECT_EQ(X509_verify(cert, ca_key), 1) << "not signed by the CA";
  absl::StatusOr<std::string> host = common::CertificateHostId(cert);
  ASSERT_TRUE(host.ok()) << host.status();
  EXPECT_EQ(*host, "sim-42");
  EXPECT_EQ(X509_check_purpose(cert, X509_PURPOSE_SSL_CLIENT, 0), 1);
  EXPECT_EQ(X509_check_ca(cert), 0);

  BIO* bio = BIO_new_mem_buf(pair->key_pem.data(),
                             static_cast<int>(pair->key_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(X509_check_private_key(cert, key), 1);
  EXPECT_EQ(EVP_PKEY_get_bits(key), 256);
  EVP_PKEY_free(key);
  X509_free(ca);
  X509_free(cert);

  auto other = (*issuer)->Issue("sim-43");
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_NE(other->key_pem, pair->key_pem) << "every host has its own key";
}

TEST_F(HostCertificateTest, ErrorsNameTheFlagAndTheFile) {
  CaFiles missing = files_;
  missing.key = dir_ / "nope.key";
  auto loaded = HostCertificateIssuer::Load(missing);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(loaded.status().message().find("--ca_key: "), std::string::npos)
      << loaded.status();
  EXPECT_NE(loaded.status().message().find("nope.key"), std::string::npos);

  auto server = pki_->IssueServer("server", {"localhost"}, {});
  ASSERT_TRUE(server.ok()) << server.status();
  CaFiles mismatched = files_;
  mismatched.key = server->key_file;
  loaded = HostCertificateIssuer::Load(mismatched);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("is not the key of --ca"),
            std::string::npos)
      << loaded.status();

  CaFiles not_a_ca = files_;
  not_a_ca.cert = server->cert_file;
  not_a_ca.key = server->key_file;
  loaded = HostCertificateIssuer::Load(not_a_ca);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("not a CA's certificate"),
            std::string::npos)
      << loaded.status();
}

}  // namespace
}  // namespace swell::sim
