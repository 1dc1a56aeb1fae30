#include "kubepriv/modinput/scheme.hpp"

#include "kubepriv/modinput/xml_escape.hpp"

namespace kubepriv::modinput {

namespace {

void element(std::string& out, std::string_view indent, std::string_view name,
             std::string_view text) {
  out += indent;
  out += '<';
  out += name;
  out += '>';
  append_xml_escaped(out, text);
  out += "</";
  out += name;
  out += ">\n";
}

std::string_view type_name(DataType t) {
  switch (t) {
    case DataType::kNumber: return "number";
    case DataType::kBoolean: return "boolean";
    case DataType::kString: return "string";
  }
  return "string";
}

}  // namespace

std::string scheme_xml(const SchemeInfo& info, std::span<const Param> table) {
  std::string out = "<scheme>\n";
  element(out, "  ", "title", info.title);
  element(out, "  ", "description", info.description);
  element(out, "  ", "use_external_validation", info.use_external_validation ? "true" : "false");
  element(out, "  ", "use_single_instance", info.use_single_instance ? "true" : "false");
  element(out, "  ", "streaming_mode", "xml");
  out += "  <endpoint>\n    <args>\n";
  for (const Param& p : table) {
    out += "      <arg name=\"";
    append_xml_escaped(out, p.name, true);
    out += "\">\n";
    element(out, "        ", "title", p.title.empty() ? p.name : p.title);
    std::string desc = p.description;
    if (!p.default_value.empty()) desc += " Default: " + p.default_value + ".";
    element(out, "        ", "description", desc);
    element(out, "        ", "data_type", type_name(p.type));
    element(out, "        ", "required_on_edit", "false");
    element(out, "        ", "required_on_create", p.required_on_create ? "true" : "false");
    out += "      </arg>\n";
  }
  out += "    </args>\n  </endpoint>\n</scheme>\n";
  return out;
}

std::string validation_error_xml(std::string_view message) {
  std::string out = "<error><message>";
  append_xml_escaped(out, message);
  out += "</message></error>\n";
  return out;
}

}  // namespace kubepriv::modinput
