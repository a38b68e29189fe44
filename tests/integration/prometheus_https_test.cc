// A PromQL gate's query to a real Prometheus (Debian's) served over https
// with a throwaway certificate: a CA and a server certificate made with
// openssl in the test's temporary directory, never committed.

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "controller/gate/promql.h"
#include "controller/service/promql_poller.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/throwaway_pki.h"
#include "tests/support/throwaway_prometheus.h"

namespace swell::test_support {
namespace {

using ::swell::controller::AskPrometheus;
using ::swell::controller::PromqlReading;
using ::swell::controller::PromqlTarget;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kToken[] = "swell-test-token-0123456789";

class PrometheusHttpsTest : public ::testing::Test {
 protected:
  // One server for the suite: starting Prometheus takes a second or two.
  static void SetUpTestSuite() {
    const char* base = std::getenv("TMPDIR");
    std::string templ =
        absl::StrCat(base != nullptr ? base : "/tmp", "/swell-https-XXXXXX");
    ASSERT_NE(mkdtemp(templ.data()), nullptr);
    dir_ = new std::string(templ);
    absl::StatusOr<ThrowawayPki> pki = ThrowawayPki::Create(*dir_, "prom");
    ASSERT_TRUE(pki.ok()) << pki.status();
    // The IP only: "localhost" is not a name it holds.
    absl::StatusOr<IssuedCertificate> server =
        pki->IssueServer("prometheus", {}, {"127.0.0.1"});
    ASSERT_TRUE(server.ok()) << server.status();
    absl::StatusOr<ThrowawayPki> other = ThrowawayPki::Create(*dir_, "other");
    ASSERT_TRUE(other.ok()) << other.status();
    ca_file_ = new std::string(pki->ca_file());
    other_ca_file_ = new std::string(other->ca_file());
    token_file_ = new std::string(*dir_ + "/prometheus.token");
    std::ofstream(*token_file_) << kToken << "\n";

    prometheus_ = new ThrowawayPrometheus();
    prometheus_->ServeTls(*server, pki->ca_file());
    absl::Status started = prometheus_->Start({});
    ASSERT_TRUE(started.ok()) << started;
  }

  static void TearDownTestSuite() {
    if (prometheus_ != nullptr) {
      absl::Status stopped = prometheus_->Stop();
      EXPECT_TRUE(stopped.ok()) << stopped;
      delete prometheus_;
    }
    if (dir_ != nullptr) std::filesystem::remove_all(*dir_);
    delete dir_;
    delete ca_file_;
    delete other_ca_file_;
    delete token_file_;
  }

  void SetUp() override {
    ASSERT_NE(prometheus_, nullptr);
    ASSERT_TRUE(prometheus_->running());
  }

  static PromqlTarget Target(const std::string& url) {
    PromqlTarget t;
    t.key = "r-1/tls";
    t.url = url;
    t.query = "vector(0.25)";
    t.ca_file = *ca_file_;
    t.bearer_token_file = *token_file_;
    return t;
  }

  static std::string* dir_;
  static std::string* ca_file_;
  static std::string* other_ca_file_;
  static std::string* token_file_;
  static ThrowawayPrometheus* prometheus_;
};

std::string* PrometheusHttpsTest::dir_ = nullptr;
std::string* PrometheusHttpsTest::ca_file_ = nullptr;
std::string* PrometheusHttpsTest::other_ca_file_ = nullptr;
std::string* PrometheusHttpsTest::token_file_ = nullptr;
ThrowawayPrometheus* PrometheusHttpsTest::prometheus_ = nullptr;

TEST_F(PrometheusHttpsTest, AGateReadsTheAnswerOverHttpsWithItsCaFile) {
  ASSERT_EQ(prometheus_->url().rfind("https://127.0.0.1:", 0), 0u);
  PromqlReading r =
      AskPrometheus(Target(prometheus_->url()), common::RealClock::Get());
  EXPECT_EQ(r.error, "");
  ASSERT_EQ(r.series.size(), 1u);
  EXPECT_EQ(r.series[0].labels, "{}");
  EXPECT_EQ(r.series[0].value, 0.25);
}

TEST_F(PrometheusHttpsTest, ACertificateFromAnotherCaIsRefused) {
  PromqlTarget t = Target(prometheus_->url());
  t.ca_file = *other_ca_file_;
  PromqlReading r = AskPrometheus(t, common::RealClock::Get());
  EXPECT_THAT(r.series, IsEmpty());
  EXPECT_THAT(r.error,
              HasSubstr(absl::StrCat("TLS: the server's certificate was "
                                     "refused (CAs of ca_file ",
                                     *other_ca_file_, ")")));
  EXPECT_THAT(r.error, Not(HasSubstr(kToken)));
}

TEST_F(PrometheusHttpsTest, WithoutACaFileTheSystemCasRefuseIt) {
  PromqlTarget t = Target(prometheus_->url());
  t.ca_file.clear();
  PromqlReading r = AskPrometheus(t, common::RealClock::Get());
  EXPECT_THAT(r.series, IsEmpty());
  EXPECT_THAT(r.error, HasSubstr("TLS: the server's certificate was refused "
                                 "(system CAs)"));
}

TEST_F(PrometheusHttpsTest, ACertificateThatDoesNotNameTheHostIsRefused) {
  PromqlTarget t =
      Target(absl::StrCat("https://localhost:", prometheus_->port(), "/"));
  PromqlReading r = AskPrometheus(t, common::RealClock::Get());
  EXPECT_THAT(r.series, IsEmpty());
  EXPECT_THAT(r.error, HasSubstr("TLS: the server's certificate was refused"));
  EXPECT_THAT(r.error, HasSubstr("localhost"));
}

}  // namespace
}  // namespace swell::test_support
