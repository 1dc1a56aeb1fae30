#include "kubepriv/aws/static_provider.hpp"

namespace kubepriv::aws {

using common::ErrorCode;
using common::fail;
using common::Result;

StaticProvider::StaticProvider(Credentials credentials) : credentials_(std::move(credentials)) {
  if (credentials_.provider.empty()) credentials_.provider = "explicit";
}

Result<Credentials> StaticProvider::get(bool) {
  if (credentials_.access_key_id.empty() && credentials_.secret_access_key.empty()) {
    return fail(ErrorCode::kNotFound, "explicit: no keys configured");
  }
  if (credentials_.empty()) {
    return fail(ErrorCode::kInvalidArgument, "explicit: access key id and secret must both be set");
  }
  return credentials_;
}

}  // namespace kubepriv::aws
