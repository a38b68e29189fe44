#include "common/http_client.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/support/fixture_util.h"
#include "tests/unit/agent/http_test_server.h"

namespace swell::common {
namespace {

using swell::agent::testing::CannedHttpServer;

HttpRequest Get(const HttpUrl& url) {
  HttpRequest request;
  request.url = url;
  return request;
}

HttpUrl Url(const std::string& text) {
  absl::StatusOr<HttpUrl> url = ParseLoopbackUrl(text);
  EXPECT_TRUE(url.ok()) << url.status();
  return url.value_or(HttpUrl{});
}

TEST(HttpPostTest, SendsTheBodyWithItsTypeAndLength) {
  CannedHttpServer server({"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"});
  absl::StatusOr<HttpResponse> r = HttpPost(Url(server.url("/api/v1/query")),
                                            "application/x-www-form-urlencoded",
                                            "query=up", absl::Seconds(10));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "ok");
  ASSERT_EQ(server.requests().size(), 1u);
  const std::string request = server.requests()[0];
  EXPECT_EQ(request.rfind("POST /api/v1/query HTTP/1.1\r\n", 0), 0u) << request;
  EXPECT_NE(request.find("Content-Type: application/x-www-form-urlencoded\r\n"),
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
  absl::StatusOr<HttpResponse> r =
      HttpGet(Url("http://" + server.address() + "/"), absl::Milliseconds(200));
  EXPECT_TRUE(absl::IsDeadlineExceeded(r.status())) << r.status();
}

TEST(HttpGetTest, CancelStopsTheWait) {
  test_support::LoopbackListener server;
  std::atomic<bool> cancel{true};
  absl::StatusOr<HttpResponse> r = HttpGet(
      Url("http://" + server.address() + "/"), absl::Seconds(60), &cancel);
  EXPECT_TRUE(absl::IsCancelled(r.status())) << r.status();
}

// Connections to it are never completed: its accept queue is full.
class FullBacklogListener {
 public:
  FullBacklogListener() {
    // Linux queues a few connections past `listen`'s backlog; open them
    // until one stays pending.
    for (int i = 0; i < 16 && !full_; ++i) {
      int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      addr.sin_port = htons(static_cast<uint16_t>(listener_.port()));
      connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
      pollfd p{fd, POLLOUT, 0};
      full_ = poll(&p, 1, 300) == 0;
      fillers_.push_back(fd);
    }
  }
  ~FullBacklogListener() {
    for (int fd : fillers_) close(fd);
  }
  bool full() const { return full_; }
  std::string address() const { return listener_.address(); }

 private:
  test_support::LoopbackListener listener_;
  std::vector<int> fillers_;
  bool full_ = false;
};

TEST(HttpSendTest, ConnectTimeIsBoundedApartFromTheTotal) {
  FullBacklogListener server;
  ASSERT_TRUE(server.full());
  HttpOptions options;
  options.timeout = absl::Seconds(60);
  options.connect_timeout = absl::Milliseconds(200);
  const absl::Time start = absl::Now();
  absl::StatusOr<HttpResponse> r =
      HttpSend(Get(Url("http://" + server.address() + "/")), options);
  EXPECT_TRUE(absl::IsDeadlineExceeded(r.status())) << r.status();
  EXPECT_LT(absl::Now() - start, absl::Seconds(30));  // not the total
}

TEST(HttpSendTest, ABodyPastTheCallersLimitIsRefused) {
  HttpOptions options;
  options.max_response_bytes = 10;
  CannedHttpServer fits({"HTTP/1.1 200 OK\r\n\r\n0123456789"});
  absl::StatusOr<HttpResponse> ok = HttpSend(Get(Url(fits.url())), options);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->body, "0123456789");
  // Received past the limit, without a length, and chunked.
  for (const char* big :
       {"HTTP/1.1 200 OK\r\n\r\n0123456789x",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        "6\r\n012345\r\n6\r\n678901\r\n0\r\n\r\n"}) {
    CannedHttpServer server({big});
    absl::StatusOr<HttpResponse> r = HttpSend(Get(Url(server.url())), options);
    EXPECT_TRUE(absl::IsResourceExhausted(r.status())) << big << r.status();
    EXPECT_NE(r.status().message().find("larger than 10 bytes"),
              std::string::npos)
        << r.status();
  }
}

TEST(HttpSendTest, AnAnnouncedLengthPastTheLimitIsRefusedUnread) {
  HttpOptions options;
  options.max_response_bytes = 10;
  CannedHttpServer server(
      {"HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\nabc"});
  absl::StatusOr<HttpResponse> r = HttpSend(Get(Url(server.url())), options);
  EXPECT_TRUE(absl::IsResourceExhausted(r.status())) << r.status();
}

TEST(HttpSendTest, ALoopbackOnlyUrlNeverConnectsElsewhere) {
  // 0.0.0.0 reaches this host's loopback listeners, but is not loopback.
  CannedHttpServer server({"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
                           "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"});
  HttpUrl url = Url(server.url("/metrics"));
  url.host = "0.0.0.0";
  url.host_header = "0.0.0.0:" + std::to_string(server.port());
  absl::StatusOr<HttpResponse> refused = HttpSend(Get(url), HttpOptions{});
  EXPECT_TRUE(absl::IsPermissionDenied(refused.status())) << refused.status();
  EXPECT_NE(refused.status().message().find("not loopback"), std::string::npos);
  // Witness: the server answers a loopback request, and saw only that one.
  absl::StatusOr<HttpResponse> served =
      HttpSend(Get(Url(server.url("/metrics"))), HttpOptions{});
  ASSERT_TRUE(served.ok()) << served.status();
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(HttpSendTest, LocalhostIsLoopbackAndKeepsItsHostHeader) {
  CannedHttpServer server({"HTTP/1.1 204 No Content\r\n\r\n"});
  absl::StatusOr<HttpResponse> r = HttpSend(
      Get(Url("http://localhost:" + std::to_string(server.port()) + "/x")),
      HttpOptions{});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 204);
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_NE(server.requests()[0].find(
                "Host: localhost:" + std::to_string(server.port()) + "\r\n"),
            std::string::npos)
      << server.requests()[0];
}

TEST(HttpSendTest, ProxyVariablesAreIgnored) {
  CannedHttpServer server({"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"});
  absl::StatusOr<int> closed = test_support::FreeLoopbackPort();
  ASSERT_TRUE(closed.ok()) << closed.status();
  const std::string proxy = "http://127.0.0.1:" + std::to_string(*closed);
  setenv("http_proxy", proxy.c_str(), 1);
  setenv("HTTPS_PROXY", proxy.c_str(), 1);
  absl::StatusOr<HttpResponse> r =
      HttpSend(Get(Url(server.url())), HttpOptions{});
  unsetenv("http_proxy");
  unsetenv("HTTPS_PROXY");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "ok");
}

TEST(HttpSendTest, SendsTheBearerTokenAndRefusesOneWithALineBreak) {
  CannedHttpServer server({"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"});
  HttpOptions options;
  options.bearer_token = "s3cret.token";
  absl::StatusOr<HttpResponse> r = HttpSend(Get(Url(server.url())), options);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_NE(server.requests()[0].find("Authorization: Bearer s3cret.token\r\n"),
            std::string::npos)
      << server.requests()[0];
  options.bearer_token = "s3cret\r\nX-Evil: 1";
  absl::StatusOr<HttpResponse> bad = HttpSend(Get(Url(server.url())), options);
  EXPECT_TRUE(absl::IsInvalidArgument(bad.status())) << bad.status();
  EXPECT_EQ(bad.status().message().find("s3cret"), std::string::npos);
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(HttpSendTest, AnUnreadableCaFileIsAFailedPreconditionNamingIt) {
  test_support::LoopbackListener server;
  absl::StatusOr<HttpUrl> url =
      ParseHttpOrHttpsUrl("https://" + server.address() + "/");
  ASSERT_TRUE(url.ok()) << url.status();
  HttpOptions options;
  options.ca_file = "/nonexistent/swell-ca.pem";
  options.timeout = absl::Seconds(10);
  absl::StatusOr<HttpResponse> r = HttpSend(Get(*url), options);
  EXPECT_TRUE(absl::IsFailedPrecondition(r.status())) << r.status();
  EXPECT_NE(r.status().message().find("ca_file /nonexistent/swell-ca.pem"),
            std::string::npos)
      << r.status();
}

TEST(HttpSendTest, HttpsToAPlainHttpServerFailsTheHandshake) {
  // Answers in plain HTTP at once, without waiting for a request.
  test_support::LoopbackListener server;
  std::thread answer([&server] {
    pollfd p{server.fd(), POLLIN, 0};
    if (poll(&p, 1, 30'000) != 1) return;
    int c = accept(server.fd(), nullptr, nullptr);
    if (c < 0) return;
    constexpr char kPlain[] = "HTTP/1.1 400 Bad Request\r\n\r\n";
    (void)!send(c, kPlain, sizeof(kPlain) - 1, MSG_NOSIGNAL);
    close(c);
  });
  absl::StatusOr<HttpUrl> url =
      ParseHttpOrHttpsUrl("https://" + server.address() + "/");
  ASSERT_TRUE(url.ok()) << url.status();
  HttpOptions options;
  options.timeout = absl::Seconds(30);
  absl::StatusOr<HttpResponse> r = HttpSend(Get(*url), options);
  answer.join();
  EXPECT_TRUE(absl::IsUnavailable(r.status())) << r.status();
  EXPECT_NE(r.status().message().find("TLS"), std::string::npos) << r.status();
}

}  // namespace
}  // namespace swell::common
