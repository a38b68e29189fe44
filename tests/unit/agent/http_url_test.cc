// The URLs the HTTP client accepts: parsed before any I/O.

#include "common/http_url.h"

#include <string>

#include "gtest/gtest.h"

namespace swell::common {
namespace {

HttpUrl Url(const std::string& text) {
  absl::StatusOr<HttpUrl> url = ParseLoopbackUrl(text);
  EXPECT_TRUE(url.ok()) << url.status();
  return url.value_or(HttpUrl{});
}

TEST(LoopbackUrlTest, AcceptsLoopbackHostsWithPortAndPath) {
  HttpUrl a = Url("http://127.0.0.1:9100/metrics?x=1");
  EXPECT_FALSE(a.ipv6);
  EXPECT_EQ(a.port, 9100);
  EXPECT_EQ(a.path, "/metrics?x=1");
  EXPECT_EQ(a.host_header, "127.0.0.1:9100");
  HttpUrl b = Url("http://localhost");
  EXPECT_FALSE(b.ipv6);
  EXPECT_EQ(b.port, 80);
  EXPECT_EQ(b.path, "/");
  HttpUrl c = Url("http://[::1]:8080/healthz");
  EXPECT_TRUE(c.ipv6);
  EXPECT_EQ(c.host, "::1");
  EXPECT_EQ(c.port, 8080);
  EXPECT_EQ(c.path, "/healthz");
}

TEST(LoopbackUrlTest, RefusesOtherHostsSchemesAndBadPorts) {
  for (const char* bad :
       {"http://10.0.0.1/metrics", "http://example.com/", "https://127.0.0.1/",
        "http://127.0.0.2/", "http://localhost.evil.com/",
        "http://user@127.0.0.1/", "http://127.0.0.1:0/",
        "http://127.0.0.1:99999/", "http://127.0.0.1:x/", "127.0.0.1:80",
        "http://[::2]/"}) {
    EXPECT_FALSE(ParseLoopbackUrl(bad).ok()) << bad;
  }
  absl::StatusOr<HttpUrl> far = ParseLoopbackUrl("http://example.com/");
  EXPECT_NE(far.status().message().find("not loopback"), std::string::npos);
}

TEST(LoopbackUrlTest, MarksTheUrlLoopbackOnlyForTheClient) {
  EXPECT_TRUE(Url("http://localhost:9100/").loopback_only);
  absl::StatusOr<HttpUrl> any = ParseHttpUrl("http://127.0.0.1:9100/");
  ASSERT_TRUE(any.ok()) << any.status();
  EXPECT_FALSE(any->loopback_only);
}

TEST(HttpUrlTest, AcceptsAnyHostAndKeepsItForResolution) {
  absl::StatusOr<HttpUrl> named =
      ParseHttpUrl("http://prometheus.internal:9090/api/v1/query");
  ASSERT_TRUE(named.ok()) << named.status();
  EXPECT_EQ(named->host, "prometheus.internal");
  EXPECT_EQ(named->port, 9090);
  EXPECT_EQ(named->path, "/api/v1/query");
  absl::StatusOr<HttpUrl> v6 = ParseHttpUrl("http://[fd00::5]/");
  ASSERT_TRUE(v6.ok()) << v6.status();
  EXPECT_EQ(v6->host, "fd00::5");
  EXPECT_TRUE(v6->ipv6);
  for (const char* bad : {"https://p:9090/", "http://:9090/", "http://u@p/",
                          "http://p:0/", "p:9090"}) {
    EXPECT_FALSE(ParseHttpUrl(bad).ok()) << bad;
  }
}

TEST(HttpOrHttpsUrlTest, AcceptsHttpsWithItsDefaultPort) {
  absl::StatusOr<HttpUrl> tls =
      ParseHttpOrHttpsUrl("https://prometheus.internal/prom?x=1");
  ASSERT_TRUE(tls.ok()) << tls.status();
  EXPECT_TRUE(tls->https);
  EXPECT_EQ(tls->port, 443);
  EXPECT_EQ(tls->Text(), "https://prometheus.internal/prom?x=1");
  absl::StatusOr<HttpUrl> plain = ParseHttpOrHttpsUrl("http://p:9090");
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_FALSE(plain->https);
  EXPECT_EQ(plain->Text(), "http://p:9090/");
  for (const char* bad : {"ftp://p/", "https://", "https://u@p/",
                          "https://p:0/", "https://p/a b", "httpsp://p/"}) {
    EXPECT_FALSE(ParseHttpOrHttpsUrl(bad).ok()) << bad;
  }
}

TEST(FormEncodeTest, KeepsUnreservedAndEncodesTheRest) {
  EXPECT_EQ(FormEncode("sum(rate(x{a=~\"b|c\"}[1m])) > 0.5"),
            "sum%28rate%28x%7Ba%3D~%22b%7Cc%22%7D%5B1m%5D%29%29%20%3E%200.5");
  EXPECT_EQ(FormEncode("a-b_c.d~"), "a-b_c.d~");
}

}  // namespace
}  // namespace swell::common
