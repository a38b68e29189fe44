#include "cli/args.h"

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace swell::cli {
namespace {

const FlagSpec* FindFlag(const std::vector<FlagSpec>& flags,
                         absl::string_view name, bool is_short) {
  for (const FlagSpec& f : flags) {
    if (is_short ? (name.size() == 1 && f.short_name == name[0])
                 : f.name == name) {
      return &f;
    }
  }
  return nullptr;
}

const CommandSyntax* FindCommand(const std::vector<CommandSyntax>& commands,
                                 absl::string_view name) {
  for (const CommandSyntax& c : commands) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::string HelpHint(absl::string_view command) {
  if (command.empty()) return "see 'swellctl --help'";
  return absl::StrCat("see 'swellctl ", command, " --help'");
}

}  // namespace

bool ParsedArgs::Has(absl::string_view flag) const {
  return flags.find(std::string(flag)) != flags.end();
}

std::string ParsedArgs::Get(absl::string_view flag,
                            absl::string_view fallback) const {
  auto it = flags.find(std::string(flag));
  return it == flags.end() ? std::string(fallback) : it->second;
}

std::vector<std::string> ParsedArgs::GetAll(absl::string_view flag) const {
  auto it = all_values.find(std::string(flag));
  return it == all_values.end() ? std::vector<std::string>() : it->second;
}

absl::StatusOr<ParsedArgs> ParseArgs(
    const std::vector<std::string>& argv,
    const std::vector<FlagSpec>& global_flags,
    const std::vector<CommandSyntax>& commands) {
  ParsedArgs parsed;
  const CommandSyntax* command = nullptr;
  bool flags_done = false;

  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& word = argv[i];
    const bool looks_like_flag =
        !flags_done && word.size() > 1 && word[0] == '-';
    if (!looks_like_flag) {
      if (command == nullptr) {
        command = FindCommand(commands, word);
        if (command == nullptr) {
          return absl::InvalidArgumentError(absl::StrCat(
              "unknown command '", word, "' (", HelpHint(""), ")"));
        }
        parsed.command = word;
      } else {
        parsed.args.push_back(word);
      }
      continue;
    }
    if (word == "--") {
      flags_done = true;
      continue;
    }
    if (word == "-h" || word == "--help") {
      parsed.help = true;
      continue;
    }

    // Split the word into a name and, maybe, an attached value.
    const bool is_short = word[1] != '-';
    std::string name;
    std::optional<std::string> value;
    if (is_short) {
      name = word.substr(1, 1);
      if (word.size() > 2) {
        value = word.substr(word[2] == '=' ? 3 : 2);
      }
    } else {
      const size_t eq = word.find('=');
      name =
          word.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
      if (eq != std::string::npos) value = word.substr(eq + 1);
    }
    const std::string shown = absl::StrCat(is_short ? "-" : "--", name);

    const FlagSpec* spec = FindFlag(global_flags, name, is_short);
    if (spec == nullptr && command != nullptr) {
      spec = FindFlag(command->flags, name, is_short);
    }
    if (spec == nullptr) {
      if (command == nullptr) {
        for (const CommandSyntax& c : commands) {
          if (FindFlag(c.flags, name, is_short) != nullptr) {
            return absl::InvalidArgumentError(
                absl::StrCat("flag ", shown, " belongs after the command (",
                             HelpHint(""), ")"));
          }
        }
      }
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown flag ", shown,
          command ? absl::StrCat(" for '", command->name, "'") : "", " (",
          HelpHint(parsed.command), ")"));
    }
    if (!spec->takes_value) {
      if (value.has_value()) {
        return absl::InvalidArgumentError(
            absl::StrCat("flag ", shown, " takes no value"));
      }
      parsed.flags[spec->name] = "true";
      continue;
    }
    if (!value.has_value()) {
      if (i + 1 >= argv.size()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "flag ", shown, " needs a value (", HelpHint(parsed.command), ")"));
      }
      value = argv[++i];
    }
    parsed.flags[spec->name] = *value;
    parsed.all_values[spec->name].push_back(*value);
  }

  if (command != nullptr && !parsed.help) {
    const int n = static_cast<int>(parsed.args.size());
    if (n < command->min_args) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", command->name, "' needs ",
                       command->min_args == 1
                           ? std::string("an argument")
                           : absl::StrCat(command->min_args, " arguments"),
                       " (", HelpHint(command->name), ")"));
    }
    if (n > command->max_args) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unexpected argument '", parsed.args[command->max_args], "' for '",
          command->name, "' (", HelpHint(command->name), ")"));
    }
  }
  return parsed;
}

}  // namespace swell::cli
