#include "common/http_client.h"

#include <atomic>
#include <string>

#include "gtest/gtest.h"
#include "tests/support/fixture_util.h"
#include "tests/unit/agent/http_test_server.h"

namespace swell::common {
namespace {

using swell::agent::testing::CannedHttpServer;

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

TEST(FormEncodeTest, KeepsUnreservedAndEncodesTheRest) {
  EXPECT_EQ(FormEncode("sum(rate(x{a=~\"b|c\"}[1m])) > 0.5"),
            "sum%28rate%28x%7Ba%3D~%22b%7Cc%22%7D%5B1m%5D%29%29%20%3E%200.5");
  EXPECT_EQ(FormEncode("a-b_c.d~"), "a-b_c.d~");
}

TEST(HttpPostTest, SendsTheBodyWithItsTypeAndLength) {
  CannedHttpServer server(
      {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"});
  absl::StatusOr<HttpResponse> r =
      HttpPost(Url(server.url("/api/v1/query")),
               "application/x-www-form-urlencoded", "query=up", absl::Seconds(10));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "ok");
  ASSERT_EQ(server.requests().size(), 1u);
  const std::string request = server.requests()[0];
  EXPECT_EQ(request.rfind("POST /api/v1/query HTTP/1.1\r\n", 0), 0u)
      << request;
  EXPECT_NE(
      request.find("Content-Type: application/x-www-form-urlencoded\r\n"),
      std::string::npos);
  EXPECT_NE(request.find("Content-Length: 8\r\n"), std::string::npos);
  EXPECT_EQ(request.substr(request.size() - 12), "\r\n\r\nquery=up");
}

TEST(HttpGetTest, ReadsAContentLengthResponseAndSendsAGet) {
  CannedHttpServer server(
      {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
       "Connection: close\r\n\r\nhello"});
  absl::StatusOr<HttpResponse> r =
      HttpGet(Url(server.url("/metrics")), absl::Seconds(10));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello");
  ASSERT_EQ(server.requests().size(), 1u);
  const std::string request = server.requests()[0];
  EXPECT_EQ(request.rfind("GET /metrics HTTP/1.1\r\n", 0), 0u) << request;
  EXPECT_NE(request.find("Connection: close\r\n"), std::string::npos);
  EXPECT_NE(request.find("Host: 127.0.0.1:"), std::string::npos);
}

TEST(HttpGetTest, DecodesAChunkedBody) {
  CannedHttpServer server(
      {"HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n"
       "4\r\nnode\r\nA;ext=1\r\n_load1 0.5\r\n0\r\n\r\n"});
  absl::StatusOr<HttpResponse> r =
      HttpGet(Url(server.url()), absl::Seconds(10));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->body, "node_load1 0.5");
}

TEST(HttpGetTest, ReadsToEofWithoutALength) {
  CannedHttpServer server({"HTTP/1.0 302 Found\r\nLocation: /x\r\n\r\nmoved"});
  absl::StatusOr<HttpResponse> r =
      HttpGet(Url(server.url()), absl::Seconds(10));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 302);
  EXPECT_EQ(r->body, "moved");
}

TEST(HttpGetTest, ShortOrMalformedResponsesAreDataLoss) {
  for (const char* bad :
       {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
        "SSH-2.0-OpenSSH\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Le"}) {
    CannedHttpServer server({bad});
    absl::StatusOr<HttpResponse> r =
        HttpGet(Url(server.url()), absl::Seconds(10));
    EXPECT_TRUE(absl::IsDataLoss(r.status())) << bad << ": " << r.status();
  }
}

TEST(HttpGetTest, ABodyPastTheLimitIsRefused) {
  std::string big =
      "HTTP/1.1 200 OK\r\n\r\n" + std::string(kMaxHttpResponseBytes + 1, 'x');
  CannedHttpServer server({big});
  absl::StatusOr<HttpResponse> r =
      HttpGet(Url(server.url()), absl::Seconds(30));
  EXPECT_TRUE(absl::IsResourceExhausted(r.status())) << r.status();
}

TEST(HttpGetTest, ARefusedConnectionIsUnavailable) {
  absl::StatusOr<int> closed = test_support::FreeLoopbackPort();
  ASSERT_TRUE(closed.ok()) << closed.status();
  HttpUrl url = Url("http://127.0.0.1:" + std::to_string(*closed));
  absl::StatusOr<HttpResponse> r = HttpGet(url, absl::Seconds(10));
  EXPECT_TRUE(absl::IsUnavailable(r.status())) << r.status();
}

TEST(HttpGetTest, ASilentServerTimesOut) {
  test_support::LoopbackListener server;  // never accepts, never answers
  absl::StatusOr<HttpResponse> r = HttpGet(
      Url("http://" + server.address() + "/"), absl::Milliseconds(200));
  EXPECT_TRUE(absl::IsDeadlineExceeded(r.status())) << r.status();
}

TEST(HttpGetTest, CancelStopsTheWait) {
  test_support::LoopbackListener server;
  std::atomic<bool> cancel{true};
  absl::StatusOr<HttpResponse> r = HttpGet(
      Url("http://" + server.address() + "/"), absl::Seconds(60), &cancel);
  EXPECT_TRUE(absl::IsCancelled(r.status())) << r.status();
}

}  // namespace
}  // namespace swell::common
