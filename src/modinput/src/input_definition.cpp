#include "kubepriv/modinput/input_definition.hpp"

#include <expat.h>

#include <cstring>
#include <memory>

namespace kubepriv::modinput {

using common::ErrorCode;
using common::fail;
using common::Result;

namespace {

// Where we are in the document; the format is shallow, so a small state machine suffices.
enum class Ctx {
  kStart,      // before the root
  kRoot,       // inside <input> / <items>
  kMeta,       // inside a metadata leaf (server_uri, ...), collecting text
  kConfig,     // inside <configuration>
  kStanza,     // inside <stanza> / <item>
  kParam,      // inside <param>, collecting text
  kParamList,  // inside <param_list>
  kValue,      // inside <param_list><value>, collecting text
  kIgnored,    // inside an unknown child of the root (future metadata); skipped
};

struct State {
  XML_Parser parser = nullptr;
  InputDefinition def;
  std::vector<Ctx> stack{Ctx::kStart};
  std::string text;       // text of the current leaf
  std::string leaf_name;  // metadata key or param name
  std::size_t ignored_depth = 0;
  std::string error;  // set by handlers before stopping the parser
};

const char* attr(const XML_Char** atts, const char* name) {
  for (std::size_t i = 0; atts[i] != nullptr; i += 2) {
    if (std::strcmp(atts[i], name) == 0) return atts[i + 1];
  }
  return nullptr;
}

void stop(State& st, std::string message) {
  if (st.error.empty()) st.error = std::move(message);
  XML_StopParser(st.parser, XML_FALSE);
}

void XMLCALL on_start(void* user, const XML_Char* name_c, const XML_Char** atts) {
  auto& st = *static_cast<State*>(user);
  if (!st.error.empty()) return;
  const std::string_view name(name_c);
  const Ctx ctx = st.stack.back();
  switch (ctx) {
    case Ctx::kStart:
      if (name == "input") {
        st.def.validation = false;
      } else if (name == "items") {
        st.def.validation = true;
      } else {
        return stop(st, std::string("root element is <").append(name) +
                            ">, expected <input> (run mode) or <items> (validation)");
      }
      st.stack.push_back(Ctx::kRoot);
      return;
    case Ctx::kRoot:
      if (name == "configuration" && !st.def.validation) {
        st.stack.push_back(Ctx::kConfig);
      } else if (name == "item" && st.def.validation) {
        if (!st.def.stanzas.empty()) return stop(st, "more than one <item> in <items>");
        const char* n = attr(atts, "name");
        if (n == nullptr) return stop(st, "<item> without a name attribute");
        st.def.stanzas.push_back(Stanza{n, "", {}, {}});
        st.stack.push_back(Ctx::kStanza);
      } else if (name == "server_host" || name == "server_uri" || name == "session_key" ||
                 name == "checkpoint_dir") {
        st.leaf_name = std::string(name);
        st.text.clear();
        st.stack.push_back(Ctx::kMeta);
      } else {
        st.ignored_depth = 1;
        st.stack.push_back(Ctx::kIgnored);
      }
      return;
    case Ctx::kConfig: {
      if (name != "stanza")
        return stop(st, std::string("unexpected <").append(name) + "> in <configuration>");
      const char* n = attr(atts, "name");
      if (n == nullptr) return stop(st, "<stanza> without a name attribute");
      const char* app = attr(atts, "app");
      st.def.stanzas.push_back(Stanza{n, app != nullptr ? app : "", {}, {}});
      st.stack.push_back(Ctx::kStanza);
      return;
    }
    case Ctx::kStanza: {
      const char* n = attr(atts, "name");
      if (name != "param" && name != "param_list") {
        return stop(st, std::string("invalid configuration scheme: <").append(name) +
                            "> inside a stanza (only <param> and <param_list> are allowed)");
      }
      if (n == nullptr)
        return stop(st, std::string("<").append(name) + "> without a name attribute");
      st.leaf_name = n;
      st.text.clear();
      if (name == "param") {
        st.stack.push_back(Ctx::kParam);
      } else {
        st.def.stanzas.back().param_lists[st.leaf_name];  // present even when empty
        st.stack.push_back(Ctx::kParamList);
      }
      return;
    }
    case Ctx::kParamList:
      if (name != "value")
        return stop(st, std::string("unexpected <").append(name) + "> in <param_list>");
      st.text.clear();
      st.stack.push_back(Ctx::kValue);
      return;
    case Ctx::kIgnored: ++st.ignored_depth; return;
    case Ctx::kMeta:
    case Ctx::kParam:
    case Ctx::kValue:
      return stop(st, std::string("unexpected element <").append(name) + "> inside a text value");
  }
}

void XMLCALL on_end(void* user, const XML_Char* /*name*/) {
  auto& st = *static_cast<State*>(user);
  if (!st.error.empty()) return;
  const Ctx ctx = st.stack.back();
  switch (ctx) {
    case Ctx::kMeta:
      if (st.leaf_name == "server_host") st.def.server_host = std::move(st.text);
      if (st.leaf_name == "server_uri") st.def.server_uri = std::move(st.text);
      if (st.leaf_name == "session_key") st.def.session_key = std::move(st.text);
      if (st.leaf_name == "checkpoint_dir") st.def.checkpoint_dir = std::move(st.text);
      break;
    case Ctx::kParam: st.def.stanzas.back().params[st.leaf_name] = std::move(st.text); break;
    case Ctx::kValue:
      st.def.stanzas.back().param_lists[st.leaf_name].push_back(std::move(st.text));
      break;
    case Ctx::kIgnored:
      if (--st.ignored_depth > 0) return;
      break;
    default: break;
  }
  st.text.clear();
  st.stack.pop_back();
}

void XMLCALL on_text(void* user, const XML_Char* s, int len) {
  auto& st = *static_cast<State*>(user);
  const Ctx ctx = st.stack.back();
  if (ctx == Ctx::kMeta || ctx == Ctx::kParam || ctx == Ctx::kValue) {
    st.text.append(s, static_cast<std::size_t>(len));
  }
}

// Splunk never sends a DOCTYPE; refusing it rules out entity expansion attacks and XXE.
void XMLCALL on_doctype(void* user, const XML_Char* /*name*/, const XML_Char* /*sysid*/,
                        const XML_Char* /*pubid*/, int /*has_internal_subset*/) {
  stop(*static_cast<State*>(user), "DOCTYPE declarations are not accepted (entities are refused)");
}

void XMLCALL on_entity_decl(void* user, const XML_Char* /*name*/, int /*is_param*/,
                            const XML_Char* /*value*/, int /*len*/, const XML_Char* /*base*/,
                            const XML_Char* /*sysid*/, const XML_Char* /*pubid*/,
                            const XML_Char* /*notation*/) {
  stop(*static_cast<State*>(user), "entity declarations are not accepted");
}

struct ParserDeleter {
  void operator()(XML_Parser p) const { XML_ParserFree(p); }
};

}  // namespace

std::string_view stanza_short_name(std::string_view full_name) {
  const auto pos = full_name.find("://");
  return pos == std::string_view::npos ? full_name : full_name.substr(pos + 3);
}

Result<InputDefinition> parse_input_definition(std::string_view bytes) {
  if (bytes.empty()) return fail(ErrorCode::kParse, "input definition is empty (nothing on stdin)");
  if (bytes.size() > kMaxDefinitionBytes) {
    return fail(ErrorCode::kParse, "input definition is larger than 16 MB");
  }
  std::unique_ptr<std::remove_pointer_t<XML_Parser>, ParserDeleter> parser(
      XML_ParserCreate(nullptr));  // nullptr: honour the declared / detected encoding
  if (!parser) return fail(ErrorCode::kInternal, "cannot create an XML parser");
  State st;
  st.parser = parser.get();
  XML_SetUserData(parser.get(), &st);
  XML_SetElementHandler(parser.get(), on_start, on_end);
  XML_SetCharacterDataHandler(parser.get(), on_text);
  XML_SetStartDoctypeDeclHandler(parser.get(), on_doctype);
  XML_SetEntityDeclHandler(parser.get(), on_entity_decl);
  XML_SetParamEntityParsing(parser.get(), XML_PARAM_ENTITY_PARSING_NEVER);

  const auto status =
      XML_Parse(parser.get(), bytes.data(), static_cast<int>(bytes.size()), XML_TRUE);
  if (status != XML_STATUS_OK || !st.error.empty()) {
    const auto line = XML_GetCurrentLineNumber(parser.get());
    const auto col = XML_GetCurrentColumnNumber(parser.get());
    std::string why =
        !st.error.empty() ? st.error : std::string(XML_ErrorString(XML_GetErrorCode(parser.get())));
    return fail(ErrorCode::kParse, "input definition XML: " + why + " (line " +
                                       std::to_string(line) + ", column " + std::to_string(col) +
                                       ")");
  }
  if (st.def.validation && st.def.stanzas.empty()) {
    return fail(ErrorCode::kParse, "validation document has no <item>");
  }
  return std::move(st.def);
}

}  // namespace kubepriv::modinput
