// Every kind of plan error, pinned with its exact location, field and text.

#include <string>

#include "absl/strings/str_cat.h"
#include "controller/plan/plan.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/plan/plan_test_util.h"

namespace swell::controller {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// kMinimalPlan with `line` (a whole line, without "\n") put in place of the
// line that starts with `prefix`.
std::string Replace(std::string_view prefix, std::string_view line) {
  std::string yaml(kMinimalPlan);
  size_t at = yaml.find(prefix);
  EXPECT_NE(at, std::string::npos) << prefix;
  yaml.replace(at, yaml.find('\n', at) - at, line);
  return yaml;
}

constexpr char kPlanFields[] =
    "name, description, policy, change, target, strategy, gates, "
    "on_failure, on_inconclusive";

TEST(PlanErrorsTest, UnknownTopLevelKeyNamesTheAllowedOnes) {
  EXPECT_THAT(ErrorsOf(Replace("name:", "nmae: p1")),
              ElementsAre(absl::StrCat("p:1:1: nmae: unknown field 'nmae'; "
                                       "did you mean 'name'? expected one of ",
                                       kPlanFields),
                          "p:1:1: name: required; expected a name like "
                          "app-workers-8 (a-z, 0-9, '.', '_', '-'; at most 64 "
                          "characters)"));
}

TEST(PlanErrorsTest, UnknownNestedKeyIsReportedAtTheKey) {
  EXPECT_THAT(
      ErrorsOf(absl::StrCat(kMinimalPlan, "  rate: 5\n")),
      ElementsAre(
          "p:9:3: strategy.rate: unknown field 'rate'; expected one "
          "of waves, geometric, linear, bake, progress_deadline, order, "
          "per_role, domain_budget"));
}

TEST(PlanErrorsTest, WrongTypesAreErrors) {
  EXPECT_THAT(ErrorsOf(Replace("name:", "name: {a: 1}")),
              ElementsAre("p:1:7: name: expected a name like app-workers-8 "
                          "(a-z, 0-9, '.', '_', '-'; at most 64 characters), "
                          "got a map"));
  EXPECT_THAT(ErrorsOf(Replace("  waves:", "  waves: 5")),
              ElementsAre("p:8:10: strategy.waves: expected a list of wave "
                          "sizes like [1, 25%, 100%], got text"));
  EXPECT_THAT(ErrorsOf("name: p1\nchange: [1]\nstrategy: {waves: [100%]}\n"),
              ElementsAre("p:2:9: change: expected a map of fields, got a "
                          "list"));
}

TEST(PlanErrorsTest, MissingRequiredFieldsAreReportedAtTheirParent) {
  EXPECT_THAT(
      ErrorsOf("name: p1\n"
               "change:\n"
               "  variable: v1\n"
               "  kind: file\n"
               "strategy: {waves: [100%]}\n"),
      ElementsAre("p:3:3: change.path: required; expected an absolute, "
                  "normalised file path like /etc/app/app.conf",
                  "p:3:3: change.content: required; expected the file's "
                  "content as text, or absent: true to remove the file"));
}

TEST(PlanErrorsTest, RequiredFieldWithoutValueIsReportedAtItsKey) {
  EXPECT_THAT(ErrorsOf(Replace("  path:", "  path:")),
              ElementsAre("p:5:3: change.path: required; expected an "
                          "absolute, normalised file path like "
                          "/etc/app/app.conf"));
}

TEST(PlanErrorsTest, InvalidWavesSayWhatIsExpected) {
  EXPECT_THAT(
      ErrorsOf(Replace("  waves:", "  waves: [0%, 150%, 1.5, -1, x, 100%]")),
      ElementsAre("p:8:11: strategy.waves[0]: expected a positive count like "
                  "5 or a percentage like 25%, got '0%'",
                  "p:8:15: strategy.waves[1]: expected a positive count like "
                  "5 or a percentage like 25%, got '150%'",
                  "p:8:21: strategy.waves[2]: expected a positive count like "
                  "5 or a percentage like 25%, got '1.5'",
                  "p:8:26: strategy.waves[3]: expected a positive count like "
                  "5 or a percentage like 25%, got '-1'",
                  "p:8:30: strategy.waves[4]: expected a positive count like "
                  "5 or a percentage like 25%, got 'x'"));
}

TEST(PlanErrorsTest, WavesMustNotShrinkAndMustEndAtEveryTarget) {
  EXPECT_THAT(ErrorsOf(Replace("  waves:", "  waves: [5, 2, 50%, 25%]")),
              ElementsAre("p:8:14: strategy.waves[1]: counts must not "
                          "decrease: '2' follows '5'",
                          "p:8:22: strategy.waves[3]: percentages must not "
                          "decrease: '25%' follows '50%'",
                          "p:8:22: strategy.waves[3]: the last wave must be "
                          "100% so every target is reached, got '25%'"));
  EXPECT_THAT(ErrorsOf(Replace("  waves:", "  waves: []")),
              ElementsAre("p:8:10: strategy.waves: expected at least one "
                          "wave, like [1, 25%, 100%]"));
}

TEST(PlanErrorsTest, ListsAreBounded) {
  std::string waves = "  waves: [";
  for (int i = 0; i < 101; ++i) absl::StrAppend(&waves, i + 1, ", ");
  waves += "100%]";
  EXPECT_THAT(ErrorsOf(Replace("  waves:", waves)),
              ElementsAre("p:8:10: strategy.waves: at most 100 entries "
                          "allowed, got 102"));

  std::string gates = "gates:\n";
  for (int i = 0; i < 51; ++i) {
    absl::StrAppend(&gates, "  - {name: g", i, ", check: failed_hosts < 1}\n");
  }
  EXPECT_THAT(ErrorsOf(absl::StrCat(kMinimalPlan, gates)),
              ElementsAre("p:10:3: gates: at most 50 entries allowed, got 51"));

  std::string labels = "target:\n  selector:\n";
  for (int i = 0; i < 65; ++i) absl::StrAppend(&labels, "    l", i, ": v\n");
  EXPECT_THAT(ErrorsOf(absl::StrCat(kMinimalPlan, labels)),
              ElementsAre("p:11:5: target.selector: at most 64 labels "
                          "allowed, got 65"));
}

TEST(PlanErrorsTest, DurationsMustParseAndBeInRange) {
  EXPECT_THAT(
      ErrorsOf(
          absl::StrCat(kMinimalPlan, "  bake: 30\n  progress_deadline: 0s\n")),
      ElementsAre("p:9:9: strategy.bake: expected a duration like 30s, 5m or "
                  "1h30m, 0s or more, got '30'",
                  "p:10:22: strategy.progress_deadline: expected a positive "
                  "duration like 10m or 1h, got '0s'"));
  EXPECT_THAT(ErrorsOf(absl::StrCat(kMinimalPlan, "  bake: -1s\n")),
              ElementsAre("p:9:9: strategy.bake: expected a duration like "
                          "30s, 5m or 1h30m, 0s or more, got '-1s'"));
}

TEST(PlanErrorsTest, KindMustBeOneOfTheFourKinds) {
  EXPECT_THAT(ErrorsOf(Replace("  kind:", "  kind: rpm")),
              ElementsAre("p:4:9: change.kind: unknown kind 'rpm'; expected "
                          "one of file, package, docker, command"));
  EXPECT_THAT(ErrorsOf(Replace("  kind:", "")),
              ElementsAre("p:3:3: change.kind: required; expected one of "
                          "file, package, docker, command"));
}

TEST(PlanErrorsTest, FileSettingsAreValidated) {
  EXPECT_THAT(
      ErrorsOf(Replace("  path:",
                       "  path: /etc/../x\n  mode: \"0999\"\n"
                       "  owner: a b\n  reload: ''")),
      ElementsAre("p:5:9: change.path: expected an absolute, normalised "
                  "file path like /etc/app/app.conf, got '/etc/../x': it has "
                  "a '..' segment",
                  "p:6:9: change.mode: expected an octal mode like \"0644\", "
                  "got '0999'",
                  "p:7:10: change.owner: expected a user name like root, got "
                  "'a b'",
                  "p:8:11: change.reload: expected a shell command of at most "
                  "4096 bytes, got ''"));
}

// kMinimalPlan with `value` (YAML, as written after "path: ") as the path.
std::vector<std::string> PathErrors(const std::string& value) {
  return ErrorsOf(Replace("  path:", absl::StrCat("  path: ", value)));
}

constexpr char kPathExpected[] =
    "p:5:9: change.path: expected an absolute, normalised file path like "
    "/etc/app/app.conf, got ";

TEST(PlanErrorsTest, PathMustBeAbsolute) {
  EXPECT_THAT(PathErrors("etc/x.conf"),
              ElementsAre(absl::StrCat(kPathExpected,
                                       "'etc/x.conf': it is not absolute (it "
                                       "must start with '/')")));
}

TEST(PlanErrorsTest, PathMustBeFreeOfNewlinesNulAndControlCharacters) {
  EXPECT_THAT(PathErrors(R"("/etc/x\n.conf")"),
              ElementsAre(absl::StrCat(kPathExpected,
                                       "'/etc/x\\n.conf': it contains a "
                                       "newline (byte 7)")));
  // A block scalar keeps its final newline: the path would too.
  EXPECT_THAT(ErrorsOf(Replace("  path:", "  path: |\n    /etc/x.conf")),
              ElementsAre("p:5:9: change.path: expected an absolute, "
                          "normalised file path like /etc/app/app.conf, got "
                          "'/etc/x.conf\\n': it contains a newline (byte "
                          "12)"));
  EXPECT_THAT(PathErrors(R"("/etc/x\0.conf")"),
              ElementsAre(absl::StrCat(kPathExpected,
                                       "'/etc/x\\x00.conf': it contains NUL "
                                       "(byte 7)")));
  EXPECT_THAT(PathErrors(R"("/etc/\tx.conf")"),
              ElementsAre(absl::StrCat(kPathExpected,
                                       "'/etc/\\tx.conf': it contains a tab "
                                       "(byte 6)")));
  EXPECT_THAT(PathErrors(R"("/etc/x\x1b.conf")"),
              ElementsAre(absl::StrCat(kPathExpected,
                                       "'/etc/x\\x1b.conf': it contains the "
                                       "control character 0x1b (byte 7)")));
  EXPECT_THAT(PathErrors(R"("/etc/x\x7f.conf")"),
              ElementsAre(absl::StrCat(kPathExpected,
                                       "'/etc/x\\x7f.conf': it contains the "
                                       "control character 0x7f (byte 7)")));
}

TEST(PlanErrorsTest, PathMustBeNormalised) {
  EXPECT_THAT(PathErrors("/etc/app/../x.conf"),
              ElementsAre(absl::StrCat(kPathExpected,
                                       "'/etc/app/../x.conf': it has a '..' "
                                       "segment")));
  EXPECT_THAT(PathErrors("/etc/./x.conf"),
              ElementsAre(absl::StrCat(
                  kPathExpected, "'/etc/./x.conf': it has a '.' segment")));
  EXPECT_THAT(PathErrors("/etc//x.conf"),
              ElementsAre(absl::StrCat(kPathExpected,
                                       "'/etc//x.conf': it has an empty "
                                       "segment ('//')")));
  EXPECT_THAT(PathErrors("/etc/app/"),
              ElementsAre(absl::StrCat(kPathExpected,
                                       "'/etc/app/': it ends with '/' (a "
                                       "directory, not a file)")));
  EXPECT_THAT(PathErrors("/"),
              ElementsAre(absl::StrCat(kPathExpected,
                                       "'/': it ends with '/' (a directory, "
                                       "not a file)")));
}

TEST(PlanErrorsTest, PathIsAtMost4096Bytes) {
  const std::string longest = absl::StrCat("/", std::string(4095, 'a'));
  EXPECT_THAT(PathErrors(longest), IsEmpty());
  EXPECT_THAT(
      PathErrors(absl::StrCat(longest, "b")),
      ElementsAre(absl::StrCat(kPathExpected, "'/", std::string(59, 'a'),
                               "...': it is 4097 bytes long; at most "
                               "4096 allowed")));
}

TEST(PlanErrorsTest, PathsThatLookOddButAreNormalisedAreAccepted) {
  EXPECT_THAT(PathErrors("/etc/app/.hidden..conf"), IsEmpty());
  EXPECT_THAT(PathErrors("\"/srv/my app/caf\xc3\xa9.conf\""), IsEmpty());
  EXPECT_THAT(PathErrors("/x"), IsEmpty());
}

TEST(PlanErrorsTest, OwnerAndGroupMustBeNamesWithoutControlCharacters) {
  EXPECT_THAT(ErrorsOf(Replace("  content:",
                               "  content: x\n  owner: \"app\\n\"\n"
                               "  group: \"\\tstaff\"")),
              ElementsAre("p:7:10: change.owner: expected a user name like "
                          "root, got 'app\\n'",
                          "p:8:10: change.group: expected a group name like "
                          "root, got '\\tstaff'"));
}

TEST(PlanErrorsTest, ContentAndAbsentExcludeEachOther) {
  EXPECT_THAT(ErrorsOf(Replace("  content:", "  content: x\n  absent: true")),
              ElementsAre("p:6:12: change.content: content and absent: true "
                          "exclude each other; keep one"));
  EXPECT_THAT(ErrorsOf(Replace("  content:", "  absent: false")),
              ElementsAre("p:3:3: change.content: required; expected the "
                          "file's content as text, or absent: true to remove "
                          "the file"));
  EXPECT_THAT(ErrorsOf(Replace("  content:", "  absent: maybe")),
              ElementsAre("p:6:11: change.absent: expected true or false, got "
                          "'maybe'"));
}

TEST(PlanErrorsTest, DuplicateGateNamesAreErrors) {
  EXPECT_THAT(ErrorsOf(absl::StrCat(kMinimalPlan,
                                    "gates:\n"
                                    "  - name: g\n"
                                    "    check: failed_hosts <= 0\n"
                                    "  - name: g\n"
                                    "    check: min(up) >= 1\n")),
              ElementsAre("p:12:11: gates[1].name: duplicate gate name 'g' "
                          "(first on line 10); gate names must be unique"));
}

TEST(PlanErrorsTest, DuplicateKeysAreErrors) {
  EXPECT_THAT(ErrorsOf(absl::StrCat(kMinimalPlan, "name: p2\n")),
              ElementsAre("p:9:1: name: duplicate field 'name' (first on "
                          "line 1)"));
}

TEST(PlanErrorsTest, GateFieldsAreValidated) {
  EXPECT_THAT(
      ErrorsOf(absl::StrCat(kMinimalPlan,
                            "gates:\n"
                            "  - name: g\n"
                            "    check: avg(up) >= 1\n"
                            "    missing_data: skip\n"
                            "    consecutive_breaches: 0\n"
                            "    dry_run: yes\n"
                            "  - check: min(up) >=\n"
                            "  - just text\n")),
      ElementsAre("p:11:12: gates[0].check: unknown aggregate 'avg'; expected "
                  "one of min, max, mean, p50, p95, p99, fraction, or "
                  "failed_hosts",
                  "p:12:19: gates[0].missing_data: expected one of fail, "
                  "hold, pass, got 'skip'",
                  "p:13:27: gates[0].consecutive_breaches: expected a whole "
                  "number from 1 to 1000, got '0'",
                  "p:14:14: gates[0].dry_run: expected true or false, got "
                  "'yes'",
                  "p:15:5: gates[1].name: required; expected a name like "
                  "app-workers-8 (a-z, 0-9, '.', '_', '-'; at most 64 "
                  "characters)",
                  "p:15:12: gates[1].check: expected a number after '>=', got "
                  "nothing",
                  "p:16:5: gates[2]: expected a map of fields, got text"));
}

TEST(PlanErrorsTest, FailureActionsAreValidated) {
  EXPECT_THAT(ErrorsOf(absl::StrCat(kMinimalPlan, "on_failure: stop\n")),
              ElementsAre("p:9:13: on_failure: expected one of rollback, "
                          "pause, got 'stop'"));
}

TEST(PlanErrorsTest, SelectorLabelsAreValidated) {
  EXPECT_THAT(ErrorsOf(absl::StrCat(kMinimalPlan,
                                    "target:\n"
                                    "  selector:\n"
                                    "    role:\n"
                                    "    'bad key': x\n"
                                    "    site: [a]\n")),
              ElementsAre("p:11:5: target.selector.role: expected a label "
                          "value like web, at most 256 bytes, got nothing",
                          "p:12:5: target.selector.bad key: expected a label "
                          "name like role (letters, digits, '.', '_', '/', "
                          "'-'), got 'bad key'",
                          "p:13:11: target.selector.site: expected a label "
                          "value like web, at most 256 bytes, got a list"));
}

TEST(PlanErrorsTest, ReportsEveryErrorAtOnceInSourceOrder) {
  std::vector<std::string> errors = ErrorsOf(
      "name: P\n"
      "strategy:\n"
      "  waves: [0]\n"
      "change:\n"
      "  variable: v\n"
      "  kind: file\n"
      "  path: rel\n"
      "  content: x\n");
  EXPECT_THAT(errors, SizeIs(3));
  ASSERT_THAT(errors, SizeIs(3));
  EXPECT_THAT(errors[0], ::testing::StartsWith("p:1:7: name:"));
  EXPECT_THAT(errors[1], ::testing::StartsWith("p:3:11: strategy.waves[0]:"));
  EXPECT_THAT(errors[2], ::testing::StartsWith("p:7:9: change.path:"));
}

TEST(PlanErrorsTest, YamlSyntaxErrorKeepsItsLineAndColumn) {
  EXPECT_THAT(ErrorsOf("name: p1\nstrategy:\n  waves: [1, 2\nchange: x\n"),
              ElementsAre("p:4:7: invalid YAML: end of sequence flow not "
                          "found"));
}

TEST(PlanErrorsTest, OversizePlanIsRejectedWithOneError) {
  std::string yaml(kMinimalPlan);
  yaml += "description: " + std::string(kMaxPlanBytes, 'x') + "\n";
  PlanParseResult r = ParsePlan(yaml);
  ASSERT_THAT(r.errors, SizeIs(1));
  EXPECT_EQ(r.errors[0].ToString("p"),
            absl::StrCat("p: the plan is ", yaml.size(), " bytes; at most ",
                         kMaxPlanBytes, " bytes are allowed"));
}

TEST(PlanErrorsTest, EmptyOrNonMapDocumentsAreErrors) {
  EXPECT_THAT(ErrorsOf(""),
              ElementsAre("p: the plan is empty; expected a map with name, "
                          "change and strategy"));
  EXPECT_THAT(ErrorsOf("# only a comment\n"),
              ElementsAre("p: the plan is empty; expected a map with name, "
                          "change and strategy"));
  EXPECT_THAT(ErrorsOf("- a\n- b\n"),
              ElementsAre("p:1:1: expected a map of fields, got a list"));
  EXPECT_THAT(ErrorsOf(absl::StrCat(kMinimalPlan, "---\nname: q\n")),
              ElementsAre("p:9:1: a plan is one YAML document; remove what "
                          "follows the first"));
  // yaml-cpp's LoadAll never returns on this; the parser must.
  EXPECT_THAT(ErrorsOf("{name: p1}\n,\n"),
              ElementsAre("p:1:1: change: required; expected a map with "
                          "variable, kind, path and content",
                          "p:1:1: strategy: required; expected a map with "
                          "waves and bake",
                          "p:2:1: a plan is one YAML document; remove what "
                          "follows the first"));
}

TEST(PlanErrorsTest, DeeplyNestedYamlIsAnErrorNotACrash) {
  std::string yaml =
      "name: " + std::string(100000, '[') + std::string(100000, ']') + "\n";
  PlanParseResult r = ParsePlan(yaml);
  ASSERT_THAT(r.errors, SizeIs(1));
  EXPECT_EQ(r.errors[0].message, "invalid YAML: nested too deeply");
}

// Every prefix of a plan, and the plan with each byte replaced by YAML
// punctuation: parsing never throws, and every failure explains itself.
TEST(PlanErrorsTest, CorruptedPlansGiveLocatedErrorsNotExceptions) {
  const std::string plan = absl::StrCat(kMinimalPlan,
                                        "gates:\n"
                                        "  - name: g\n"
                                        "    check: min(up) >= 1\n"
                                        "target: {selector: {a: b}}\n");
  std::vector<std::string> variants;
  for (size_t n = 0; n < plan.size(); ++n)
    variants.push_back(plan.substr(0, n));
  for (size_t i = 0; i < plan.size(); ++i) {
    for (char c : std::string_view(":[]{}-#&*!|>'\"\t%,?")) {
      std::string v = plan;
      v[i] = c;
      variants.push_back(v);
    }
  }
  for (const std::string& v : variants) {
    PlanParseResult r = ParsePlan(v);
    for (const PlanError& e : r.errors) {
      EXPECT_FALSE(e.message.empty()) << v;
      EXPECT_TRUE(e.line > 0 || e.message.starts_with("the plan is empty"))
          << e.ToString("p") << "\n"
          << v;
    }
  }
}

TEST(PlanErrorsTest, FailedParseLeavesNoPartialPlan) {
  PlanParseResult r = ParsePlan(Replace("  waves:", "  waves: [0]"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.plan.name, "");
  EXPECT_THAT(r.plan.waves, IsEmpty());
}

}  // namespace
}  // namespace swell::controller
