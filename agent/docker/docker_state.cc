#include "agent/docker/docker_state.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace swell::agent {
namespace {

std::string BaseName(absl::string_view path) {
  size_t slash = path.rfind('/');
  return std::string(slash == absl::string_view::npos ? path
                                                      : path.substr(slash + 1));
}

// The value after `flag` in argv ("-id X" or "--id X" or "-id=X").
std::string FlagValue(const std::vector<std::string>& argv,
                      absl::string_view flag) {
  for (size_t i = 1; i < argv.size(); ++i) {
    absl::string_view a = argv[i];
    if (!absl::ConsumePrefix(&a, "-")) continue;
    absl::ConsumePrefix(&a, "-");
    if (a == flag && i + 1 < argv.size()) return argv[i + 1];
    if (absl::ConsumePrefix(&a, flag) && absl::ConsumePrefix(&a, "=")) {
      return std::string(a);
    }
  }
  return "";
}

// A published host port range of one `docker ps` ports entry:
// "0.0.0.0:8000-8001->8000-8001/tcp" gives tcp 8000..8001.
struct Published {
  std::string proto;
  int lo = 0, hi = 0;
};

std::vector<Published> PublishedPorts(absl::string_view ports) {
  std::vector<Published> out;
  for (absl::string_view entry : absl::StrSplit(ports, ',')) {
    entry = absl::StripAsciiWhitespace(entry);
    size_t arrow = entry.find("->");
    if (arrow == absl::string_view::npos) continue;  // exposed, not published
    absl::string_view host = entry.substr(0, arrow);
    absl::string_view target = entry.substr(arrow + 2);
    size_t colon = host.rfind(':');
    size_t slash = target.rfind('/');
    if (colon == absl::string_view::npos || slash == absl::string_view::npos) {
      continue;
    }
    Published p;
    p.proto = std::string(target.substr(slash + 1));
    std::vector<absl::string_view> range =
        absl::StrSplit(host.substr(colon + 1), '-');
    if (!absl::SimpleAtoi(range[0], &p.lo)) continue;
    p.hi = p.lo;
    if (range.size() == 2 && !absl::SimpleAtoi(range[1], &p.hi)) continue;
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

std::vector<Container> ParseContainerList(absl::string_view text) {
  std::vector<Container> out;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    line = absl::StripTrailingAsciiWhitespace(line);
    std::vector<absl::string_view> f =
        absl::StrSplit(line, absl::MaxSplits('|', 2));
    if (f.size() < 2 || f[0].empty()) continue;
    bool hex = true;
    for (char c : f[0]) hex = hex && absl::ascii_isxdigit(c);
    if (!hex) continue;
    out.push_back(Container{std::string(f[0]), std::string(f[1]),
                            f.size() == 3 ? std::string(f[2]) : ""});
  }
  return out;
}

std::string UpstreamVersion(absl::string_view v) {
  size_t colon = v.find(':');
  if (colon != absl::string_view::npos) {
    bool epoch = colon > 0;
    for (char c : v.substr(0, colon)) epoch = epoch && absl::ascii_isdigit(c);
    if (epoch) v = v.substr(colon + 1);
  }
  size_t dash = v.rfind('-');
  if (dash != absl::string_view::npos && dash > 0) v = v.substr(0, dash);
  return std::string(v);
}

bool ServerRunsVersion(absl::string_view server, absl::string_view package) {
  server = absl::StripAsciiWhitespace(server);
  if (server.empty()) return false;
  std::string upstream = UpstreamVersion(package);
  if (server == upstream) return true;
  absl::string_view rest = upstream;
  return absl::ConsumePrefix(&rest, server) &&
         (absl::StartsWith(rest, "+") || absl::StartsWith(rest, "~"));
}

Orphans FindOrphans(const std::vector<HostProcess>& processes,
                    const std::set<std::string>& known_ids,
                    const std::vector<Container>& running) {
  std::vector<Published> published;
  for (const Container& c : running) {
    for (Published& p : PublishedPorts(c.ports)) published.push_back(p);
  }
  Orphans out;
  for (const HostProcess& p : processes) {
    if (p.argv.empty()) continue;
    std::string program = BaseName(p.argv[0]);
    if (absl::StartsWith(program, "containerd-shim")) {
      std::string ns = FlagValue(p.argv, "namespace");
      std::string id = FlagValue(p.argv, "id");
      if (ns != "moby" || id.empty() || known_ids.count(id) > 0) continue;
      out.containers.push_back(absl::StrCat(id, " (pid ", p.pid, ")"));
    } else if (program == "docker-proxy") {
      std::string proto = FlagValue(p.argv, "proto");
      if (proto.empty()) proto = "tcp";
      int port = 0;
      if (!absl::SimpleAtoi(FlagValue(p.argv, "host-port"), &port)) continue;
      bool managed = false;
      for (const Published& pub : published) {
        managed =
            managed || (pub.proto == proto && port >= pub.lo && port <= pub.hi);
      }
      if (managed) continue;
      out.proxies.push_back(absl::StrCat(proto, " ",
                                         FlagValue(p.argv, "host-ip"), ":",
                                         port, " (pid ", p.pid, ")"));
    }
  }
  return out;
}

}  // namespace swell::agent
