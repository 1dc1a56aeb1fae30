// The verdict contract against the app's documentation and searches: the field table
// (core::kFields) and the vocabularies (reasons, outcome, evidence) must match, word for word,
// default/searchbnf.conf, app/README.md and the values the correlation searches in
// default/savedsearches.conf compare fields with.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "kubepriv/core/fields.hpp"

#ifndef KUBEPRIV_SOURCE_DIR
#error "KUBEPRIV_SOURCE_DIR must name the repository root"
#endif

namespace kubepriv::core {
namespace {

std::string read(const std::string& relative) {
  std::ifstream in(std::string(KUBEPRIV_SOURCE_DIR) + "/" + relative, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open " << relative;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The value of `key` in `[stanza]` of a .conf file, continuation lines joined.
std::string conf_value(const std::string& text, const std::string& stanza, const std::string& key) {
  std::istringstream in(text);
  std::string line;
  bool in_stanza = false;
  std::string value;
  bool reading = false;
  while (std::getline(in, line)) {
    if (reading) {
      const bool more = !line.empty() && line.back() == '\\';
      if (more) line.pop_back();
      value += line.substr(line.find_first_not_of(" \t") == std::string::npos
                               ? line.size()
                               : line.find_first_not_of(" \t"));
      if (!more) return value;
      continue;
    }
    if (!line.empty() && line.front() == '[') {
      in_stanza = line == "[" + stanza + "]";
      continue;
    }
    if (in_stanza && line.rfind(key + " = ", 0) == 0) {
      value = line.substr(key.size() + 3);
      reading = !value.empty() && value.back() == '\\';
      if (!reading) return value;
      value.pop_back();
    }
  }
  return value;
}

// The identifiers of a text, in order.
std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> out;
  std::string w;
  for (const char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_') {
      w.push_back(c);
    } else if (!w.empty()) {
      out.push_back(std::move(w));
      w.clear();
    }
  }
  if (!w.empty()) out.push_back(std::move(w));
  return out;
}

// Tokens of a text: identifiers ([A-Za-z0-9_]+) and single punctuation characters; blanks,
// quotes (also JSON-escaped ones) and backticks only separate tokens.
std::vector<std::string> tokens(const std::string& text) {
  std::vector<std::string> out;
  std::string w;
  for (const char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_') {
      w.push_back(c);
      continue;
    }
    if (!w.empty()) {
      out.push_back(std::move(w));
      w.clear();
    }
    if (std::isspace(static_cast<unsigned char>(c)) == 0 && c != '"' && c != '\\' && c != '`') {
      out.emplace_back(1, c);
    }
  }
  if (!w.empty()) out.push_back(std::move(w));
  return out;
}

// The identifiers from `t[from]` up to the closing ")" (exclusive); `from` is moved past it.
std::vector<std::string> until_close(const std::vector<std::string>& t, std::size_t& from) {
  std::vector<std::string> out;
  for (; from < t.size() && t[from] != ")"; ++from) {
    if (t[from].size() > 1 || std::isalnum(static_cast<unsigned char>(t[from][0])) != 0 ||
        t[from] == "_") {
      out.push_back(t[from]);
    }
  }
  return out;
}

// The words inside the parentheses that first follow `field` (e.g. "reasons (a, b)" or
// "`reasons` (`a`, `b`)").
std::vector<std::string> listed_after(const std::string& text, const std::string& field) {
  const auto t = tokens(text);
  for (std::size_t i = 0; i + 1 < t.size(); ++i) {
    if (t[i] == field && t[i + 1] == "(") {
      std::size_t from = i + 2;
      return until_close(t, from);
    }
  }
  return {};
}

template <typename Table>
std::vector<std::string> texts(const Table& table) {
  std::vector<std::string> out;
  for (const auto& w : table) out.emplace_back(w.text);
  return out;
}

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// Field names as the search command shows them.
std::vector<std::string> command_fields() {
  std::vector<std::string> out;
  for (const auto& f : kFields) out.emplace_back(f.name == "error" ? "kubepriv_error" : f.name);
  return out;
}

// Each expected word appears in `text`, in order (a subsequence of its words).
void expect_in_order(const std::vector<std::string>& text_words,
                     const std::vector<std::string>& expected, const std::string& where) {
  auto at = text_words.begin();
  for (const auto& name : expected) {
    const auto found = std::find(at, text_words.end(), name);
    if (found == text_words.end()) {
      ADD_FAILURE() << where << ": field " << name << " missing or out of table order";
      continue;
    }
    at = found + 1;
  }
}

void expect_vocabulary(const std::string& text, const std::string& where) {
  EXPECT_EQ(listed_after(text, "reasons"), texts(kReasonWords)) << where << ": reasons";
  EXPECT_EQ(sorted(listed_after(text, "outcome")), sorted(texts(kOutcomeWords)))
      << where << ": outcome";
  const auto evidence = listed_after(text, "evidence");
  if (!evidence.empty() || where.find("searchbnf") != std::string::npos) {
    EXPECT_EQ(sorted(evidence), sorted(texts(kEvidenceWords))) << where << ": evidence";
  }
  auto actors = texts(kActorWords);
  actors.erase(std::remove(actors.begin(), actors.end(), ""), actors.end());  // kNone: absent
  EXPECT_EQ(sorted(listed_after(text, "actor_kind")), sorted(actors)) << where << ": actor_kind";
  EXPECT_EQ(listed_after(text, "source_format"), texts(kSourceFormatWords))
      << where << ": source_format";
}

TEST(CoreContract, TablesAreConsistent) {
  EXPECT_EQ(kReasonCount, static_cast<int>(kReasonWords.size()));
  for (int i = 0; i < kReasonCount; ++i) {
    EXPECT_EQ(to_string(static_cast<Reason>(i)), kReasonWords[static_cast<std::size_t>(i)].text);
  }
  for (const auto& w : kOutcomeWords) EXPECT_EQ(to_string(w.value), w.text);
  for (const auto& w : kEvidenceWords) EXPECT_EQ(to_string(w.value), w.text);
  for (const auto& w : kActorWords) EXPECT_EQ(to_string(w.value), w.text);
  for (const auto& w : kSourceFormatWords) EXPECT_EQ(to_string(w.value), w.text);
  for (const auto& f : kFields) EXPECT_EQ(f.multivalue, f.shape == Shape::kMultivalue) << f.name;
}

TEST(CoreContract, EveryShapeWritesWhatItPromises) {
  Verdict v;
  v.reasons.add(Reason::kHostPid);
  v.reasons.add(Reason::kPrivilegedContainer);
  v.containers = {"a", "b"};
  v.response_code = 201;
  v.user = "alice";
  std::string scratch;
  for (const auto& f : kFields) {
    FieldValues out;
    f.values(v, out, scratch);
    switch (f.shape) {
      case Shape::kFlag:
        ASSERT_EQ(out.size(), 1U) << f.name;
        EXPECT_TRUE(out[0] == "0" || out[0] == "1") << f.name;
        break;
      case Shape::kNumber:
        ASSERT_LE(out.size(), 1U) << f.name;
        for (const auto value : out) {
          for (const char c : value) EXPECT_NE(std::isdigit(static_cast<unsigned char>(c)), 0);
        }
        break;
      case Shape::kText: EXPECT_LE(out.size(), 1U) << f.name; break;
      case Shape::kMultivalue: break;
    }
  }
  FieldValues out;
  field_values(v, field_index("reasons"), out, scratch);
  EXPECT_EQ(out, (FieldValues{"privileged_container", "host_pid"}));  // vocabulary order
  out.clear();
  field_values(v, field_index("response_code"), out, scratch);
  EXPECT_EQ(out, (FieldValues{"201"}));
  out.clear();
  field_values(v, kFields.size(), out, scratch);  // unknown index: nothing
  EXPECT_TRUE(out.empty());
}

TEST(CoreContract, SearchbnfDescribesEveryFieldAndTheVocabulary) {
  const auto description =
      conf_value(read("default/searchbnf.conf"), "kubepriv-command", "description");
  ASSERT_FALSE(description.empty());
  expect_vocabulary(description, "searchbnf.conf");
  expect_in_order(words(description), command_fields(), "searchbnf.conf");
}

TEST(CoreContract, AppReadmeListsEveryFieldAndTheVocabulary) {
  const auto readme = read("app/README.md");
  const auto from = readme.find("Fields added:");
  ASSERT_NE(from, std::string::npos) << "app/README.md lost its 'Fields added:' paragraph";
  const auto to = readme.find("\n\n", from);
  const auto paragraph = readme.substr(from, to - from);
  expect_vocabulary(paragraph, "app/README.md");
  expect_in_order(words(paragraph), command_fields(), "app/README.md");
}

TEST(CoreContract, CorrelationSearchesCompareOnlyWithWordsOfTheVocabulary) {
  const auto text = read("default/savedsearches.conf");
  const std::set<std::string> reasons = [] {
    const auto t = texts(kReasonWords);
    return std::set<std::string>(t.begin(), t.end());
  }();
  const std::set<std::string> outcomes = [] {
    const auto t = texts(kOutcomeWords);
    return std::set<std::string>(t.begin(), t.end());
  }();
  const std::set<std::string> evidence = [] {
    const auto t = texts(kEvidenceWords);
    return std::set<std::string>(t.begin(), t.end());
  }();
  const std::set<std::string> actors{"user", "controller"};
  const std::set<std::string> formats = [] {
    const auto t = texts(kSourceFormatWords);
    return std::set<std::string>(t.begin(), t.end());
  }();
  auto vocabulary = [&](const std::string& field) -> const std::set<std::string>& {
    if (field == "reasons") return reasons;
    if (field == "outcome") return outcomes;
    if (field == "actor_kind") return actors;
    if (field == "source_format") return formats;
    return evidence;
  };
  // field="x", field!=x, field IN ("x", "y") (also with the JSON-escaped quotes of drilldowns).
  const auto t = tokens(text);
  const std::set<std::string> compared{"reasons", "outcome", "evidence", "actor_kind",
                                       "source_format"};
  int checked = 0;
  for (std::size_t i = 0; i + 2 < t.size(); ++i) {
    if (compared.count(t[i]) == 0) continue;
    std::size_t j = i + 1;
    if (t[j] == "!") ++j;
    if (t[j] == "=" && j + 1 < t.size()) {
      EXPECT_EQ(vocabulary(t[i]).count(t[j + 1]), 1U) << t[i] << "=" << t[j + 1];
      ++checked;
    } else if (t[j] == "IN" && j + 1 < t.size() && t[j + 1] == "(") {
      std::size_t from = j + 2;
      for (const auto& w : until_close(t, from)) {
        EXPECT_EQ(vocabulary(t[i]).count(w), 1U) << t[i] << " IN ... " << w;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 0) << "the searches no longer compare with any vocabulary word";
  // Every field the searches collect with values(...) exists in the table (or is Splunk's, or
  // the searches compute it themselves with `eval name=...`: an assignment at the top level of
  // an eval, right after `eval` or a `,`).
  auto fields = command_fields();
  {
    bool in_eval = false;
    int depth = 0;
    for (std::size_t k = 0; k + 1 < t.size(); ++k) {
      if (t[k] == "|") in_eval = false;
      if (t[k] == "eval") {
        in_eval = true;
        depth = 0;
        continue;
      }
      if (!in_eval) continue;
      if (t[k] == "(") ++depth;
      if (t[k] == ")") --depth;
      const bool starts = k > 0 && (t[k - 1] == "eval" || (t[k - 1] == "," && depth == 0));
      if (starts && t[k + 1] == "=" && (k + 2 >= t.size() || t[k + 2] != "=")) {
        fields.push_back(t[k]);
      }
    }
  }
  for (std::size_t i = 0; i + 3 < t.size(); ++i) {
    if (t[i] != "values" || t[i + 1] != "(" || t[i + 3] != ")") continue;  // values(a.b): skip
    const std::string& f = t[i + 2];
    if (f.front() == '_') continue;  // Splunk's own fields
    const bool risk_datamodel = f == "search_name" || f == "risk_message" || f == "analyticstories";
    if (risk_datamodel) continue;
    EXPECT_NE(std::find(fields.begin(), fields.end(), f), fields.end()) << "values(" << f << ")";
  }
}

TEST(CoreContract, TheDocParsersAreNotRubberStamps) {
  EXPECT_EQ(listed_after("x `reasons` (`a`, `b_c`) y", "reasons"),
            (std::vector<std::string>{"a", "b_c"}));
  EXPECT_EQ(conf_value("[s]\nk = a \\\n    b\nz = 1\n", "s", "k"), "a b");
  EXPECT_EQ(conf_value("[t]\nk = 1\n[s]\nk = 2\n", "s", "k"), "2");
  EXPECT_EQ(words("a-b c_d"), (std::vector<std::string>{"a", "b", "c_d"}));
  EXPECT_EQ(
      tokens(R"(outcome IN (\"denied\", x) `k8s`!=)"),
      (std::vector<std::string>{"outcome", "IN", "(", "denied", ",", "x", ")", "k8s", "!", "="}));
  EXPECT_TRUE(listed_after("values(reasons) as reasons", "reasons").empty());
}

}  // namespace
}  // namespace kubepriv::core
