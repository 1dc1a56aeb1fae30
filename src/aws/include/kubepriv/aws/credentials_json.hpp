#pragma once
/// @file
/// The JSON credential document served by the container endpoint and by IMDS.

#include <string>       // std::string
#include <string_view>  // std::string_view

#include "kubepriv/aws/credentials.hpp"
#include "kubepriv/common/result.hpp"

namespace kubepriv::aws {

/// Parses the JSON credential documents of the container endpoint and IMDS
/// ({AccessKeyId, SecretAccessKey, Token, Expiration[, Code]}).
common::Result<Credentials> parse_credentials_json(std::string_view body, std::string provider);

}  // namespace kubepriv::aws
