#include "kubepriv/scp/options.hpp"

namespace kubepriv::scp {

using common::ErrorCode;
using common::fail;

common::Result<std::vector<Option>> split_options(std::span<const std::string> args) {
  std::vector<Option> out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const auto eq = a.find('=');
    if (eq != std::string::npos && eq > 0) {
      out.push_back({a.substr(0, eq), a.substr(eq + 1)});
      continue;
    }
    // `name = value` arrives as three tokens.
    if (eq == std::string::npos && i + 2 < args.size() && args[i + 1] == "=") {
      out.push_back({a, args[i + 2]});
      i += 2;
      continue;
    }
    if (eq == std::string::npos && i + 1 < args.size() && args[i + 1] == "=") {
      return fail(ErrorCode::kInvalidArgument, "option '" + a + "' has no value");
    }
    return fail(ErrorCode::kInvalidArgument,
                "unexpected argument '" + a + "' (options are written name=value)");
  }
  return out;
}

common::Result<bool> parse_splunk_bool(std::string_view text) {
  std::string lower;
  for (char c : text)
    lower.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c);
  if (lower == "true" || lower == "t" || lower == "1" || lower == "yes") return true;
  if (lower == "false" || lower == "f" || lower == "0" || lower == "no") return false;
  return fail(ErrorCode::kInvalidArgument,
              "'" + std::string(text) + "' is not a boolean (use true/false, t/f, 1/0, yes/no)");
}

}  // namespace kubepriv::scp
