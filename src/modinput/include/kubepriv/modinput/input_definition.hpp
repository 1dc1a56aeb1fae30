#pragma once
/// @file
/// Reads the run-mode input definition (`<input>`) and the `--validate-arguments` document
/// (`<items>`) with expat, in any encoding expat knows (UTF-8, UTF-16 with or without BOM,
/// ISO-8859-1, US-ASCII). DOCTYPEs are refused: no entity declarations, no external entities.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "kubepriv/common/result.hpp"
#include "kubepriv/modinput/params.hpp"

namespace kubepriv::modinput {

/// One `<stanza>` (run mode) or the `<item>` (validation).
struct Stanza {
  std::string name;  ///< run mode: "scheme://name"; validation: "name"
  std::string app;   ///< app attribute (run mode; may be empty)
  ParamValues params;
  std::map<std::string, std::vector<std::string>, std::less<>> param_lists;
};

/// The whole document.
struct InputDefinition {
  std::string server_host;
  std::string server_uri;
  std::string session_key;  ///< a splunkd token: never log it
  std::string checkpoint_dir;
  std::vector<Stanza> stanzas;  ///< run mode: 0..n; validation: exactly 1
  bool validation = false;      ///< true when the root was `<items>`
};

/// Largest document accepted (a definition is a few KB; this only bounds memory).
inline constexpr std::size_t kMaxDefinitionBytes = 16u * 1024u * 1024u;

/// Parses an `<input>` or `<items>` document. Never throws; errors name line and column.
common::Result<InputDefinition> parse_input_definition(std::string_view bytes);

/// Stanza name without the "scheme://" prefix.
std::string_view stanza_short_name(std::string_view full_name);

}  // namespace kubepriv::modinput
