#include "common/logging.h"

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/json.h"
#include "spdlog/formatter.h"
#include "spdlog/sinks/stdout_color_sinks.h"
#include "spdlog/spdlog.h"

namespace swell::common {
namespace {

// One JSON object a line. The logger's name is the component.
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg,
              spdlog::memory_buf_t& dest) override {
    const absl::Time t = absl::FromChrono(msg.time);
    const std::string line = absl::StrCat(
        "{\"time\":",
        JsonQuote(
            absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone())),
        ",\"level\":",
        JsonQuote(
            std::string_view(spdlog::level::to_string_view(msg.level).data(),
                             spdlog::level::to_string_view(msg.level).size())),
        ",\"component\":",
        JsonQuote(
            std::string_view(msg.logger_name.data(), msg.logger_name.size())),
        ",\"message\":",
        JsonQuote(std::string_view(msg.payload.data(), msg.payload.size())),
        "}\n");
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

}  // namespace

absl::Status ParseLogFormat(std::string_view text, std::string_view flag,
                            LogFormat* out) {
  if (text == "text") {
    *out = LogFormat::kText;
  } else if (text == "json") {
    *out = LogFormat::kJson;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(flag), ": expected text or json, got \"",
                     std::string(text), "\""));
  }
  return absl::OkStatus();
}

void InitLogging(std::string_view component, std::string_view level,
                 LogFormat format) {
  auto logger = spdlog::stderr_color_mt(std::string(component));
  if (format == LogFormat::kJson) {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%L%$ %n: %v",
                        spdlog::pattern_time_type::utc);
  }
  logger->set_level(spdlog::level::from_str(std::string(level)));
  if (logger->level() == spdlog::level::off && level != "off") {
    logger->set_level(spdlog::level::info);
  }
  spdlog::set_default_logger(logger);
}

}  // namespace swell::common
