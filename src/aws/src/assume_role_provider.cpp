#include "kubepriv/aws/assume_role_provider.hpp"

#include "kubepriv/aws/sts.hpp"

namespace kubepriv::aws {

using common::ErrorCode;
using common::fail;
using common::Result;

AssumeRoleProvider::AssumeRoleProvider(std::shared_ptr<CredentialsProvider> source, StsClient& sts,
                                       Params params)
    : source_(std::move(source)), sts_(sts), params_(std::move(params)) {}

Result<Credentials> AssumeRoleProvider::get(bool force_refresh) {
  auto src = source_->get(force_refresh);
  if (!src) {
    // A missing source is a configuration error once a role is requested.
    return fail(src.error().code == ErrorCode::kNotFound ? ErrorCode::kAuth : src.error().code,
                "assume_role: no source credentials: " + src.error().message);
  }
  return sts_.assume_role(*src, params_.role_arn, params_.session_name, params_.external_id,
                          params_.duration_seconds);
}

}  // namespace kubepriv::aws
