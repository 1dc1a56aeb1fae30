#include "kubepriv/aws/credentials.hpp"

#include "kubepriv/aws/redact.hpp"

namespace kubepriv::aws {

std::string Credentials::describe() const {
  return redact_secret(access_key_id, true) + (session_token.empty() ? "" : " (temporary)") +
         " from " + (provider.empty() ? std::string("unknown") : provider);
}

}  // namespace kubepriv::aws
