#include "common/flags_help.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace swell::common {
namespace {

constexpr size_t kWidth = 80;
constexpr absl::string_view kHelpIndent = "      ";

enum class HelpRequest { kNone, kOwnFlags, kAllFlags };

HelpRequest Requested(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg == "-h" || arg == "--help" || arg == "-help" ||
        arg == "--helpshort" || arg == "-helpshort") {
      return HelpRequest::kOwnFlags;
    }
    if (arg == "--helpfull" || arg == "-helpfull") {
      return HelpRequest::kAllFlags;
    }
  }
  return HelpRequest::kNone;
}

// `text` wrapped at kWidth, each line led by kHelpIndent.
void WriteWrapped(absl::string_view text, std::ostream& out) {
  for (absl::string_view paragraph : absl::StrSplit(text, '\n')) {
    std::string line;
    for (absl::string_view word :
         absl::StrSplit(paragraph, ' ', absl::SkipEmpty())) {
      if (!line.empty() &&
          kHelpIndent.size() + line.size() + 1 + word.size() > kWidth) {
        out << kHelpIndent << line << "\n";
        line.clear();
      }
      if (!line.empty()) line += ' ';
      line.append(word.data(), word.size());
    }
    out << kHelpIndent << line << "\n";
  }
}

}  // namespace

bool PrintHelpIfAsked(int argc, char** argv, std::string_view main_file,
                      std::ostream& out) {
  const HelpRequest request = Requested(argc, argv);
  if (request == HelpRequest::kNone) return false;

  absl::string_view program = argc > 0 ? argv[0] : "";
  if (size_t slash = program.rfind('/'); slash != absl::string_view::npos) {
    program.remove_prefix(slash + 1);
  }
  out << program << ": " << absl::ProgramUsageMessage() << "\n\nFlags:\n";

  std::vector<const absl::CommandLineFlag*> flags;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (flag->IsRetired()) continue;
    if (request == HelpRequest::kOwnFlags &&
        !absl::StrContains(
            flag->Filename(),
            absl::string_view(main_file.data(), main_file.size()))) {
      continue;
    }
    flags.push_back(flag);
  }
  std::sort(flags.begin(), flags.end(),
            [](const absl::CommandLineFlag* a, const absl::CommandLineFlag* b) {
              return a->Name() < b->Name();
            });
  for (const absl::CommandLineFlag* flag : flags) {
    // One convention across the binaries: dashes (both are accepted).
    std::string name(flag->Name());
    std::replace(name.begin(), name.end(), '_', '-');
    out << "  --" << name << " (default: ";
    const std::string value = flag->DefaultValue();
    if (value.empty()) {
      out << "none";
    } else {
      out << value;
    }
    out << ")\n";
    WriteWrapped(flag->Help(), out);
  }
  out << "\n--version prints the version. --helpfull lists every flag, "
         "Abseil's included.\n";
  out.flush();
  return true;
}

std::vector<std::string> NormalizeFlagNames(int argc, char** argv) {
  std::vector<std::string> out(argv, argv + argc);
  for (int i = 1; i < argc; ++i) {
    std::string& arg = out[i];
    if (arg == "--") break;
    if (arg.size() < 2 || arg[0] != '-') continue;
    size_t end = arg.find('=');
    if (end == std::string::npos) end = arg.size();
    const size_t start = arg[1] == '-' ? 2 : 1;
    std::replace(arg.begin() + start, arg.begin() + end, '-', '_');
  }
  return out;
}

}  // namespace swell::common
