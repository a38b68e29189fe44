// Writes the seed inputs of the binary fuzz targets, made with the real
// encoders so that every seed is valid: agent_message (framed
// AgentMessages), desired_state (saved DesiredStates) and journal (journals
// written by Journal). Usage: make_seeds CORPUS_DIR, then commit what
// changed under tests/fuzz/corpus/.

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "agent/desired_state_file.h"
#include "agent/journal.h"
#include "swell/v1/agent.pb.h"
#include "tests/fuzz/agent_message_frames.h"

namespace {

namespace fs = std::filesystem;
using swell::fuzz::EncodeFrame;

void Write(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  if (!out) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    std::exit(1);
  }
}

std::string Frame(size_t stream, int seconds_root,
                  const swell::v1::AgentMessage& msg) {
  return EncodeFrame(stream, seconds_root, msg.SerializeAsString());
}

swell::v1::AgentMessage Hello(const std::string& host) {
  swell::v1::AgentMessage m;
  swell::v1::Hello* h = m.mutable_hello();
  h->set_host_id(host);
  (*h->mutable_labels())["role"] = "web";
  (*h->mutable_labels())["site"] = "par1";
  h->set_agent_version("0.1.0");
  h->set_last_generation(3);
  swell::v1::ActualVariable* a = h->add_actual();
  a->set_name("app-config");
  a->mutable_value()->set_present(true);
  a->mutable_value()->set_data("workers = 4\n");
  return m;
}

swell::v1::AgentMessage Health(std::vector<std::string> names, bool ok) {
  swell::v1::AgentMessage m;
  for (const std::string& name : names) {
    swell::v1::Sample* s = m.mutable_health()->add_samples();
    s->set_name(name);
    s->set_value(ok ? 1 : 0);
    s->set_ok(ok);
    s->set_unix_ms(1'800'000'000'000);
    if (!ok) s->set_error("connection refused");
  }
  return m;
}

swell::v1::AgentMessage Apply(bool ok) {
  swell::v1::AgentMessage m;
  swell::v1::ApplyResult* r = m.mutable_apply_result();
  r->set_variable("app-config");
  r->set_generation(4);
  r->set_ok(ok);
  r->mutable_actual()->set_present(true);
  r->mutable_actual()->set_data(ok ? "workers = 8\n" : "workers = 4\n");
  if (!ok) r->set_message("validate: exit 1");
  r->set_output_tail("grep: no match\n");
  r->set_duration_ms(120);
  return m;
}

swell::v1::AgentMessage Actual() {
  swell::v1::AgentMessage m;
  swell::v1::ActualVariable* a = m.mutable_actual()->add_actual();
  a->set_name("app-config");
  a->mutable_value()->set_present(true);
  a->mutable_value()->set_data("workers = 8\n");
  swell::v1::ActualVariable* e = m.mutable_actual()->add_actual();
  e->set_name("nginx");
  e->set_error("dpkg-query: exit 2");
  return m;
}

void AgentMessages(const fs::path& dir) {
  Write(dir / "hello", Frame(0, 0, Hello("web-1")));
  Write(dir / "conversation",
        Frame(0, 0, Hello("web-1")) +
            Frame(0, 1, Health({"app_healthy", "latency_ms"}, true)) +
            Frame(0, 1, Apply(true)) + Frame(0, 1, Actual()) +
            Frame(0, 2, Health({"app_healthy"}, false)));
  Write(dir / "two_streams_same_host",
        Frame(0, 0, Hello("web-1")) + Frame(1, 0, Hello("web-1")) +
            Frame(1, 1, Apply(false)) +
            Frame(0, 1, Health({"app_healthy"}, true)));
  Write(
      dir / "health_before_hello",
      Frame(0, 0, Health({"app_healthy"}, true)) + Frame(0, 0, Hello("web-2")));
  Write(dir / "hello_twice", Frame(2, 0, Hello("web-3")) +
                                 Frame(2, 0, Hello("web-3")) +
                                 Frame(2, 0, Hello("web-3")));
  Write(dir / "refused_samples",
        Frame(3, 0, Hello("db-1")) +
            Frame(3, 1,
                  Health({"9bad", "", std::string(201, 'n'), "ok_one"}, true)));
  Write(dir / "idle_then_back",
        Frame(0, 0, Hello("web-1")) + Frame(1, 0, Hello("web-2")) +
            Frame(0, 1, Health({"app_healthy"}, true)) +
            Frame(1, 63, Health({"app_healthy", "load"}, true)));
}

swell::v1::DesiredState State() {
  swell::v1::DesiredState s;
  s.set_host_id("web-1");
  s.set_generation(7);
  swell::v1::DesiredVariable* file = s.add_variables();
  file->set_enforce(true);
  swell::v1::VariableSpec* spec = file->mutable_spec();
  spec->set_name("app-config");
  spec->set_kind(swell::v1::VARIABLE_KIND_FILE);
  spec->mutable_file()->set_path("/etc/app/app.conf");
  spec->mutable_file()->set_mode(0644);
  spec->mutable_file()->set_validate("grep -q '^workers = ' {}");
  spec->mutable_file()->add_restart_units("app.service");
  file->mutable_value()->set_present(true);
  file->mutable_value()->set_data("workers = 8\n");

  swell::v1::DesiredVariable* pkg = s.add_variables();
  pkg->mutable_spec()->set_name("nginx");
  pkg->mutable_spec()->set_kind(swell::v1::VARIABLE_KIND_PACKAGE);
  pkg->mutable_spec()->mutable_package()->set_name("nginx");
  pkg->mutable_spec()->mutable_package()->set_hold(true);
  pkg->mutable_value()->set_present(true);
  pkg->mutable_value()->set_data("1.22.1-9");

  swell::v1::DesiredVariable* docker = s.add_variables();
  docker->mutable_spec()->set_name("docker");
  docker->mutable_spec()->set_kind(swell::v1::VARIABLE_KIND_DOCKER);
  docker->mutable_spec()->mutable_docker()->set_package("docker-ce");
  docker->mutable_spec()->mutable_docker()->add_companion_packages(
      "docker-ce-cli");
  docker->mutable_value()->set_present(true);
  docker->mutable_value()->set_data("5:24.0.7-1~debian.12~bookworm");

  swell::v1::DesiredVariable* cmd = s.add_variables();
  cmd->mutable_spec()->set_name("log-level");
  cmd->mutable_spec()->set_kind(swell::v1::VARIABLE_KIND_COMMAND);
  cmd->mutable_spec()->mutable_command()->set_apply("app set-log-level {}");
  cmd->mutable_spec()->mutable_command()->set_current("app log-level");
  cmd->mutable_spec()->mutable_command()->set_shell(true);
  cmd->mutable_value()->set_present(false);
  return s;
}

void DesiredStates(const fs::path& dir) {
  Write(dir / "four_kinds", State().SerializeAsString());
  swell::v1::DesiredState empty;
  empty.set_host_id("web-2");
  empty.set_generation(1);
  Write(dir / "no_variables", empty.SerializeAsString());
}

// Journals written by Journal itself, then read back as bytes.
void Journals(const fs::path& dir) {
  const fs::path scratch = fs::temp_directory_path() / "swell-make-seeds";
  fs::remove_all(scratch);
  // `torn`: a last line cut short, as a crash during an append leaves it.
  const auto journal = [&](const std::string& name, auto fill,
                           const std::string& torn = "") {
    const std::string path = (scratch / name).string();
    {
      auto j = swell::agent::Journal::Open(path);
      if (!j.ok()) std::exit(1);
      fill(**j);
    }
    std::ifstream in(path, std::ios::binary);
    Write(dir / name,
          std::string(std::istreambuf_iterator<char>(in), {}) + torn);
  };
  journal("applied", [](swell::agent::Journal& j) {
    (void)j.RecordIntent({"app-config", 3, "absent", "file 12 bytes"});
    (void)j.RecordOutcome("app-config", {3, true, ""});
  });
  journal("interrupted_with_steps", [](swell::agent::Journal& j) {
    (void)j.RecordOutcome("nginx", {2, false, "apt-get: exit 100\n\tE: x"});
    (void)j.RecordIntent({"nginx", 3, "1.22.0", "1.22.1-9"});
    (void)j.RecordStep("nginx", 3, "install", "ok");
    (void)j.RecordStep("nginx", 3, "hold", "tab\there\\");
    (void)j.RecordIntent({"docker", 5, "absent", "5:24.0.7"});
  });
  journal(
      "torn_tail",
      [](swell::agent::Journal& j) {
        (void)j.RecordIntent({"app-config", 4, "file 12 bytes", "absent"});
      },
      "O\t1800000000000\t4\tapp-con");
  fs::remove_all(scratch);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  const fs::path corpus = argv[1];
  AgentMessages(corpus / "agent_message");
  DesiredStates(corpus / "desired_state");
  Journals(corpus / "journal");
  return 0;
}
