#pragma once
/// @file
/// Chunk metadata (the JSON object of each request and reply). Parsing never throws.

#include <string>       // std::string
#include <string_view>  // std::string_view
#include <vector>       // std::vector

#include "kubepriv/common/result.hpp"

namespace kubepriv::scp {

/// What the command needs from a request's metadata; everything else is ignored.
struct RequestMetadata {
  std::string action;             ///< "getinfo" or "execute"
  bool finished = false;          ///< execute: the last request of the stream
  std::vector<std::string> args;  ///< getinfo: searchinfo.args (SPL arguments, quotes removed)
  std::string command;            ///< getinfo: searchinfo.command when present (8.x), else ""
};

/// Parses request metadata. Errors when it is not a JSON object or a known key has a wrong type.
common::Result<RequestMetadata> parse_request_metadata(std::string_view json);

/// `{"type":"<type>","required_fields":[...]}` (required_fields omitted when empty).
std::string getinfo_reply_metadata(std::string_view type,
                                   const std::vector<std::string>& required_fields);

/// `{"finished":true,"error":"<message>"}` with the message JSON-escaped (invalid UTF-8 replaced).
std::string error_reply_metadata(std::string_view message);

/// `{"finished":true}` or `{"finished":false}`.
std::string_view finished_metadata(bool finished) noexcept;

}  // namespace kubepriv::scp
