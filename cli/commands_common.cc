#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "cli/commands.h"
#include "cli/exit_code.h"
#include "google/protobuf/util/json_util.h"

namespace swell::cli {

int ReportError(Context& ctx, const absl::Status& status) {
  const ErrorReport report = DescribeError(status, ctx.client->last_call());
  for (const std::string& line : report.lines) *ctx.err << line << "\n";
  ctx.err->flush();
  return report.exit_code;
}

int EmitJson(Context& ctx, const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  std::string json;
  const auto status =
      google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!status.ok()) {
    *ctx.err << "swellctl: cannot encode the reply as JSON: "
             << status.ToString() << "\n";
    return kExitFailure;
  }
  // add_whitespace already ends the document with a newline.
  *ctx.out << json;
  if (json.empty() || json.back() != '\n') *ctx.out << "\n";
  ctx.out->flush();
  return kExitOk;
}

std::string ReasonFlag(Context& ctx, bool required, int* exit_code) {
  std::string reason(absl::StripAsciiWhitespace(ctx.args->Get("reason")));
  if (required && reason.empty()) {
    *ctx.err << "swellctl: " << ctx.args->command
             << " needs --reason \"...\": say why, for the audit trail and "
                "whoever is on call next\n";
    *exit_code = kExitBadInput;
  }
  return reason;
}

}  // namespace swell::cli
