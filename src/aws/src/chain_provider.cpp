#include "kubepriv/aws/chain_provider.hpp"

namespace kubepriv::aws {

using common::ErrorCode;
using common::fail;
using common::Result;

ChainProvider::ChainProvider(std::vector<std::shared_ptr<CredentialsProvider>> providers)
    : providers_(std::move(providers)) {}

Result<Credentials> ChainProvider::get(bool force_refresh) {
  if (winner_) {
    auto again = winner_->get(force_refresh);
    if (again || again.error().code != ErrorCode::kNotFound) return again;
    winner_.reset();  // the environment changed; walk the chain again
  }
  std::string tried;
  for (const auto& p : providers_) {
    auto c = p->get(force_refresh);
    if (c) {
      winner_ = p;
      return c;
    }
    if (c.error().code != ErrorCode::kNotFound) return c;
    if (!tried.empty()) tried += "; ";
    tried += c.error().message;
  }
  return fail(ErrorCode::kAuth, "no AWS credentials found (" + tried + ")");
}

}  // namespace kubepriv::aws
