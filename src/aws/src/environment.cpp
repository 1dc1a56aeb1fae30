#include "kubepriv/aws/environment.hpp"

#include <cstdio>        // std::fopen
#include <cstdlib>       // std::getenv
#include <filesystem>    // std::filesystem
#include <system_error>  // std::error_code

namespace kubepriv::aws {

using common::ErrorCode;
using common::fail;

std::string region_from_env(const Environment& env) {
  if (auto r = env.get("AWS_REGION")) return *r;
  return env.get("AWS_DEFAULT_REGION").value_or("");
}

std::optional<std::string> ProcessEnvironment::get(std::string_view name) const {
  const std::string n(name);
  const char* v = std::getenv(n.c_str());  // NOLINT(concurrency-mt-unsafe): read-only use
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

common::Result<std::string> ProcessEnvironment::read_file(const std::string& path,
                                                          std::size_t max_bytes) const {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return fail(ErrorCode::kNotFound, "file not found: " + path);
  }
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return fail(ErrorCode::kIo, "cannot stat " + path + ": " + ec.message());
  if (size > max_bytes) return fail(ErrorCode::kInvalidArgument, "file too large: " + path);
  // stdio rather than istreambuf_iterator: gcc -O3 reports a spurious null dereference there.
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return fail(ErrorCode::kIo, "cannot open " + path);
  std::string data(static_cast<std::size_t>(size), '\0');
  const std::size_t got = data.empty() ? 0 : std::fread(data.data(), 1, data.size(), f);
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) return fail(ErrorCode::kIo, "cannot read " + path);
  data.resize(got);
  return data;
}

}  // namespace kubepriv::aws
