#pragma once
/// @file
/// XML text escaping that always yields well-formed UTF-8 XML 1.0 character data.

#include <string>
#include <string_view>

namespace kubepriv::modinput {

/// Appends `text` escaped for element content (`& < >` become entities) or, with `attribute`,
/// for a double-quoted attribute value (`"` too); bytes that are not valid UTF-8, and characters
/// XML 1.0 forbids (C0 controls other than tab/LF/CR, U+FFFE/U+FFFF), become U+FFFD. Returns how
/// many replacements were made.
std::size_t append_xml_escaped(std::string& out, std::string_view text, bool attribute = false);

}  // namespace kubepriv::modinput
