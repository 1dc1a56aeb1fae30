// RFC 6902 JSON patch -> a skeleton object holding what the patch writes, so the one body walker
// can judge it. Cold path (patch bodies of pod-spec writes only).
#include <algorithm>      // std::min
#include <cstddef>        // std::ptrdiff_t
#include <cstdint>        // std::uint8_t
#include <optional>       // std::optional
#include <string>         // std::string
#include <unordered_map>  // std::unordered_map
#include <vector>         // std::vector

#include "body.hpp"
#include "kubepriv/common/decimal.hpp"

namespace kubepriv::audit::detail {

namespace {

using simdjson::SUCCESS;
using simdjson::dom::element;
using simdjson::dom::object;

// Replay limits. Every op needs its own bytes in the input, so appends are bounded by the input
// size; what a single op can amplify is bounded here, so a hostile patch costs linear time.
constexpr std::size_t kMaxSegments = 64;              // pod-spec paths are about 10 deep
constexpr std::size_t kMaxArrayIndex = 999999;        // 6 digits
constexpr std::size_t kMaxInsertShift = 64;           // `add` at an index shifts at most this many
constexpr std::size_t kPlaceholderBudget = 1U << 18;  // null slots created by index writes
constexpr std::size_t kCopyBudget = 1U << 18;         // nodes duplicated by copy/move
constexpr std::size_t kIndexThreshold = 16;           // objects with more keys get a hash index

struct Node {
  enum class Type : std::uint8_t { kNull, kObject, kArray, kScalar };
  Type type = Type::kNull;
  std::string scalar;  // minified JSON text of a scalar
  // Object members as parallel lists (std::vector may hold an incomplete type, std::pair not),
  // unique keys, plus a hash index once the object is large (no quadratic lookups).
  std::vector<std::string> keys;
  std::vector<Node> values;
  std::unordered_map<std::string, std::size_t> index;
  std::vector<Node> items;

  [[nodiscard]] std::optional<std::size_t> find(std::string_view key) const {
    if (!index.empty()) {
      const auto it = index.find(std::string(key));
      if (it == index.end()) return std::nullopt;
      return it->second;
    }
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (keys[i] == key) return i;
    }
    return std::nullopt;
  }
  Node* member(std::string_view key) {
    const auto i = find(key);
    return i ? &values[*i] : nullptr;
  }
  [[nodiscard]] const Node* member(std::string_view key) const {
    const auto i = find(key);
    return i ? &values[*i] : nullptr;
  }
  // Sets a member; a repeated key replaces the value (the last one wins).
  Node* set_member(std::string_view key, Node value) {
    if (Node* existing = member(key)) {
      *existing = std::move(value);
      return existing;
    }
    keys.emplace_back(key);
    values.push_back(std::move(value));
    if (!index.empty()) {
      index.emplace(keys.back(), keys.size() - 1);
    } else if (keys.size() > kIndexThreshold) {
      for (std::size_t i = 0; i < keys.size(); ++i) index.emplace(keys[i], i);
    }
    return &values.back();
  }
};

Node from_element(element e) {
  Node n;
  switch (e.type()) {
    case simdjson::dom::element_type::OBJECT: {
      n.type = Node::Type::kObject;
      object o;
      if (e.get_object().get(o) != SUCCESS) break;
      for (const auto field : o) n.set_member(field.key, from_element(field.value));
      break;
    }
    case simdjson::dom::element_type::ARRAY: {
      n.type = Node::Type::kArray;
      simdjson::dom::array a;
      if (e.get_array().get(a) != SUCCESS) break;
      for (const auto item : a) n.items.push_back(from_element(item));
      break;
    }
    case simdjson::dom::element_type::NULL_VALUE: break;
    default:
      n.type = Node::Type::kScalar;
      n.scalar = simdjson::minify(e);
      break;
  }
  return n;
}

void serialize(const Node& n, std::string& out) {
  switch (n.type) {
    case Node::Type::kNull: out += "null"; break;
    case Node::Type::kScalar: out += n.scalar; break;
    case Node::Type::kObject: {
      out += '{';
      bool first = true;
      for (std::size_t i = 0; i < n.keys.size(); ++i) {
        if (!first) out += ',';
        first = false;
        append_json_string(out, n.keys[i]);
        out += ':';
        serialize(n.values[i], out);
      }
      out += '}';
      break;
    }
    case Node::Type::kArray: {
      out += '[';
      bool first = true;
      for (const auto& item : n.items) {
        if (!first) out += ',';
        first = false;
        serialize(item, out);
      }
      out += ']';
      break;
    }
  }
}

// JSON pointer -> segments with ~1 -> '/' and ~0 -> '~' (one pass, so "~01" is "~1").
bool split_pointer(std::string_view path, std::vector<std::string>& segs) {
  segs.clear();
  if (path.empty()) return true;  // the whole document
  if (path.front() != '/') return false;
  std::size_t i = 1;
  while (true) {
    const std::size_t j = std::min(path.find('/', i), path.size());
    std::string seg;
    for (std::size_t k = i; k < j; ++k) {
      if (path[k] == '~' && k + 1 < j && (path[k + 1] == '0' || path[k + 1] == '1')) {
        seg += path[k + 1] == '0' ? '~' : '/';
        ++k;
      } else {
        seg += path[k];
      }
    }
    segs.push_back(std::move(seg));
    if (segs.size() > kMaxSegments) return false;
    if (j == path.size()) break;
    i = j + 1;
  }
  return true;
}

std::size_t count_nodes(const Node& n, std::size_t limit) {
  std::size_t total = 1;
  for (const auto& v : n.values) {
    if (total > limit) break;
    total += count_nodes(v, limit - total);
  }
  for (const auto& v : n.items) {
    if (total > limit) break;
    total += count_nodes(v, limit - total);
  }
  return total;
}

struct Budget {
  std::size_t placeholders = kPlaceholderBudget;
  std::size_t copies = kCopyBudget;
};

bool array_index(std::string_view seg, std::size_t& out) {
  if (seg.size() > 6 || (seg.size() > 1 && seg.front() == '0')) return false;  // RFC 6901
  const auto v = common::parse_decimal<std::size_t>(seg);
  if (!v) return false;
  out = *v;
  return *v <= kMaxArrayIndex;
}

// Sets `value` at `segs` in the skeleton, creating intermediate objects or arrays (an array
// when the next segment is an index or "-"). `insert`: `add` into an array shifts, `replace`
// overwrites. Returns false when the path cannot be placed (e.g. through a scalar).
bool place(Node& root, const std::vector<std::string>& segs, Node value, bool insert,
           Budget& budget) {
  if (segs.empty()) {
    root = std::move(value);
    return true;
  }
  Node* cur = &root;
  for (std::size_t i = 0; i < segs.size(); ++i) {
    const std::string& seg = segs[i];
    const bool last = i + 1 == segs.size();
    std::size_t idx = 0;
    if (cur->type == Node::Type::kNull) {
      cur->type = (seg == "-" || array_index(seg, idx)) ? Node::Type::kArray : Node::Type::kObject;
    }
    Node* next = nullptr;
    if (cur->type == Node::Type::kObject) {
      next = cur->member(seg);
      if (next == nullptr) next = cur->set_member(seg, Node{});
    } else if (cur->type == Node::Type::kArray) {
      if (seg == "-") {
        cur->items.emplace_back();
        next = &cur->items.back();
      } else if (array_index(seg, idx)) {
        if (last && insert && idx < cur->items.size()) {
          if (cur->items.size() - idx <= kMaxInsertShift) {
            cur->items.insert(cur->items.begin() + static_cast<std::ptrdiff_t>(idx), Node{});
          } else {
            // A long shift: append instead (only the reported index differs).
            idx = cur->items.size();
            cur->items.emplace_back();
          }
        } else if (idx >= cur->items.size()) {
          const std::size_t grow = idx + 1 - cur->items.size();
          if (grow > budget.placeholders) return false;
          budget.placeholders -= grow;
          cur->items.resize(idx + 1);
        }
        next = &cur->items[idx];
      } else {
        return false;
      }
    } else {
      return false;
    }
    if (last) {
      *next = std::move(value);
      return true;
    }
    cur = next;
  }
  return false;
}

const Node* lookup(const Node& root, const std::vector<std::string>& segs) {
  const Node* cur = &root;
  for (const auto& seg : segs) {
    const Node* next = nullptr;
    std::size_t idx = 0;
    if (cur->type == Node::Type::kObject) {
      next = cur->member(seg);
    } else if (cur->type == Node::Type::kArray && array_index(seg, idx) &&
               idx < cur->items.size()) {
      next = &cur->items[idx];
    }
    if (next == nullptr) return nullptr;
    cur = next;
  }
  return cur;
}

}  // namespace

bool json_patch_skeleton(simdjson::dom::array ops, std::string& out) {
  Node root;
  root.type = Node::Type::kObject;
  bool wrote = false;
  Budget budget;
  std::vector<std::string> segs;
  std::vector<std::string> from_segs;
  for (const auto item : ops) {
    object op_obj;
    if (item.get_object().get(op_obj) != SUCCESS) continue;
    std::string_view op;
    std::string_view path;
    std::string_view from;
    element value;
    bool has_value = false;
    bool has_path = false;
    bool has_from = false;
    for (const auto field : op_obj) {  // duplicate keys: the last one wins
      if (field.key == "op") {
        if (field.value.get_string().get(op) != SUCCESS) op = {};
      } else if (field.key == "path") {
        has_path = field.value.get_string().get(path) == SUCCESS;
      } else if (field.key == "from") {
        has_from = field.value.get_string().get(from) == SUCCESS;
      } else if (field.key == "value") {
        value = field.value;
        has_value = true;
      }
    }
    if (!has_path || !split_pointer(path, segs)) continue;
    Node node;
    if ((op == "add" || op == "replace") && has_value) {
      node = from_element(value);
    } else if (op == "copy" || op == "move") {
      // The source lives in the stored object, which the event does not show: the destination
      // gets an unknown value, unless this patch itself wrote the source.
      const Node* src = nullptr;
      if (has_from && split_pointer(from, from_segs)) src = lookup(root, from_segs);
      if (src != nullptr) {
        const std::size_t n = count_nodes(*src, budget.copies);
        if (n <= budget.copies) {
          budget.copies -= n;
          node = *src;
        }
      }
    } else {
      continue;  // remove, test, unknown ops add nothing
    }
    if (segs.empty() && node.type != Node::Type::kObject) continue;
    wrote = place(root, segs, std::move(node), op != "replace", budget) || wrote;
  }
  out.clear();
  serialize(root, out);
  return wrote;
}

}  // namespace kubepriv::audit::detail
