#include "common/logging.h"

#include <string>

#include "spdlog/sinks/stdout_color_sinks.h"
#include "spdlog/spdlog.h"

namespace swell::common {

void InitLogging(std::string_view component, std::string_view level) {
  auto logger = spdlog::stderr_color_mt(std::string(component));
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%L%$ %n: %v");
  logger->set_level(spdlog::level::from_str(std::string(level)));
  if (logger->level() == spdlog::level::off && level != "off") {
    logger->set_level(spdlog::level::info);
  }
  spdlog::set_default_logger(logger);
}

}  // namespace swell::common
