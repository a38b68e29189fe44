// What a store refuses, run against both stores: PostgreSQL decides, and
// MemoryStore must refuse exactly the same, leaving everything unchanged.

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "tests/integration/model_dump.h"
#include "tests/integration/store_samples.h"
#include "tests/integration/store_test_fixture.h"

namespace swell::controller {
namespace {

template <typename Factory>
class StoreRejectionTest : public StoreTest<Factory> {
 protected:
  // Everything a failed Commit must leave as it was.
  std::string Everything() {
    return Dump(this->MustLoad()) + this->VerdictDump("r-00000001") +
           this->AuditDump();
  }
};
TYPED_TEST_SUITE(StoreRejectionTest, StoreFactories, FactoryName);

struct BadCase {
  std::string name;
  std::function<void(Mutation&)> spoil;
};

// Each case spoils one field of a mutation whose other parts are valid and
// are written before the spoiled part would be.
std::vector<BadCase> BadCases() {
  return {
      {"NulInRolloutHostMessage",
       [](Mutation& m) {
         m.rollout_hosts.back().message = std::string("a\0b", 3);
       }},
      {"NulInLabelValue",
       [](Mutation& m) { m.hosts[0].labels["site"] = std::string("\0", 1); }},
      {"NonUtf8RolloutName",
       [](Mutation& m) { m.rollouts[0].name = "caf\xe9"; }},
      {"NonUtf8DesiredRemoved",
       [](Mutation& m) {
         m.desired_removed = {{"h1", "\xc0\xaf"}};
       }},
      {"EvidenceNotJson",
       [](Mutation& m) { m.verdicts.back().evidence_json = "{hosts: 1}"; }},
      {"RolloutHostOfUnknownRollout",
       [](Mutation& m) { m.rollout_hosts.back().rollout_id = "r-nope"; }},
      {"RolloutHostOfUnknownHost",
       [](Mutation& m) { m.rollout_hosts.back().host_id = "h-nope"; }},
      {"DesiredOfUnknownHost",
       [](Mutation& m) { m.desired.back().host_id = "h-nope"; }},
      {"VerdictOfUnknownRollout",
       [](Mutation& m) { m.verdicts.back().rollout_id = "r-nope"; }},
      {"TimeBeforeYearOne",
       [](Mutation& m) {
         m.audit.back().at = absl::FromCivil(
             absl::CivilSecond(0, 12, 31, 0, 0, 0), absl::UTCTimeZone());
       }},
  };
}

TYPED_TEST(StoreRejectionTest, FailedCommitChangesNothing) {
  this->MustCommit(SampleMutation());
  const std::string before = this->Everything();

  for (const BadCase& c : BadCases()) {
    SCOPED_TRACE(c.name);
    Mutation m = SampleMutation();
    m.hosts.push_back(SampleHost("h-new"));
    m.hosts[0].agent_version = "changed";
    m.rollouts[0].state = RolloutState::kHalted;
    m.rollout_hosts.push_back(SampleRolloutHost("r-00000001", "h-new", 3));
    m.desired_removed = {{"h2", "motd"}};
    c.spoil(m);

    EXPECT_EQ(this->store_->Commit(m).code(),
              absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(this->Everything(), before);
  }
}

TYPED_TEST(StoreRejectionTest, EvidenceMustBeJsonAsPostgresParsesIt) {
  Mutation setup;
  setup.rollouts = {SampleRollout("r-1")};
  this->MustCommit(setup);
  const std::vector<std::string> valid = {
      "{}",
      "[]",
      "0",
      "-0",
      "1.5e-3",
      "1E+2",
      "\"s\"",
      "null",
      "true",
      " \t\r\n{ \"a\" : [ 1 , -2.25 , { } ] } ",
      R"({"a": 1, "a": 2})",
      R"("\ud83d\ude00 \u00e9 \/ \n")",
      "\"é😀\""};
  const std::vector<std::string> invalid = {"{",           "}",
                                            "{\"a\" 1}",   "[1,]",
                                            "[1 2]",       "01",
                                            "1.",          ".5",
                                            "+1",          "1e",
                                            "NaN",         "'x'",
                                            "{a: 1}",      "tru",
                                            "nul",         "1 2",
                                            "\"\\x\"",     "\"a",
                                            "\"\\u0000\"", "\"\\ud800\"",
                                            "\"\\udc00\"", "\"\\ud800\\u0041\"",
                                            "\"\\u12\"",   "\"tab\there\"",
                                            "[1]x"};
  for (const std::string& json : valid) {
    SCOPED_TRACE(json);
    Mutation m;
    m.verdicts = {SampleVerdict("r-1", "g")};
    m.verdicts[0].evidence_json = json;
    EXPECT_TRUE(this->store_->Commit(m).ok());
  }
  for (const std::string& json : invalid) {
    SCOPED_TRACE(json);
    Mutation m;
    m.verdicts = {SampleVerdict("r-1", "g")};
    m.verdicts[0].evidence_json = json;
    EXPECT_EQ(this->store_->Commit(m).code(),
              absl::StatusCode::kInvalidArgument);
  }
}

TYPED_TEST(StoreRejectionTest, TextMustBeUtf8AsPostgresChecksIt) {
  const std::vector<std::string> valid = {"",  "ascii", "é",           "€",
                                          "😀", "\x7f",  "\xef\xbf\xbf"};
  const std::vector<std::string> invalid = {
      "\x80",                   // lone continuation byte
      "\xc0\xaf",               // overlong '/'
      "\xe0\x80\xaf",           // overlong, three bytes
      "\xed\xa0\x80",           // surrogate U+D800
      "\xf4\x90\x80\x80",       // beyond U+10FFFF
      "\xe2\x82",               // truncated
      "\xf8\x88\x80\x80\x80"};  // five-byte form
  for (const std::string& text : valid) {
    SCOPED_TRACE(absl::CHexEscape(text));
    Mutation m;
    m.hosts = {SampleHost("h1")};
    m.hosts[0].agent_version = text;
    EXPECT_TRUE(this->store_->Commit(m).ok());
    EXPECT_EQ(this->MustLoad().hosts.at("h1").agent_version, text);
  }
  for (const std::string& text : invalid) {
    SCOPED_TRACE(absl::CHexEscape(text));
    Mutation m;
    m.hosts = {SampleHost("h1")};
    m.hosts[0].agent_version = text;
    EXPECT_EQ(this->store_->Commit(m).code(),
              absl::StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace swell::controller
