// Detection throughput: simdjson's bare parse of each event vs. Evaluator::evaluate, on the same
// in-memory corpus, in the same run. Prints MB/s and events/s (medians over --runs), and checks
// that the evaluator flags exactly the events the generator made privileged.
//
//   bench_detect [--size-mb N] [--seed S] [--runs R] [--corpus FILE] [--write FILE] [--check]
//                [--cut-at BYTES]
// --cut-at cuts every event longer than BYTES there (as Splunk's TRUNCATE does), to measure the
// salvage path of cut events (issue 10); the bare parses then fail on those events.
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "corpus.hpp"
#include "kubepriv/audit/evaluator.hpp"

namespace {

using Clock = std::chrono::steady_clock;
namespace od = simdjson::ondemand;

// Visits every value of an On-Demand document (strings unescaped, numbers parsed).
simdjson::error_code visit(od::value v, std::size_t& count) {
  od::json_type t;
  SIMDJSON_TRY(v.type().get(t));
  ++count;
  switch (t) {
    case od::json_type::object: {
      od::object o;
      SIMDJSON_TRY(v.get_object().get(o));
      for (auto f : o) {
        od::field field;
        SIMDJSON_TRY(std::move(f).get(field));
        std::string_view k;
        SIMDJSON_TRY(field.unescaped_key().get(k));
        SIMDJSON_TRY(visit(field.value(), count));
      }
      return simdjson::SUCCESS;
    }
    case od::json_type::array: {
      od::array a;
      SIMDJSON_TRY(v.get_array().get(a));
      for (auto item : a) {
        od::value iv;
        SIMDJSON_TRY(std::move(item).get(iv));
        SIMDJSON_TRY(visit(iv, count));
      }
      return simdjson::SUCCESS;
    }
    case od::json_type::string: {
      std::string_view s;
      return v.get_string().get(s);
    }
    case od::json_type::number: {
      double d;
      return v.get_double().get(d);
    }
    case od::json_type::boolean: {
      bool b;
      return v.get_bool().get(b);
    }
    case od::json_type::null: return v.is_null() ? simdjson::SUCCESS : simdjson::INCORRECT_TYPE;
  }
  return simdjson::SUCCESS;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  try {
    std::size_t size_mb = 150;
    std::uint64_t seed = 20261128;
    int runs = 5;
    std::string corpus_file;
    std::string write_file;
    bool check = false;
    std::size_t cut_at = 0;
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      auto next = [&]() -> std::string {
        if (i + 1 >= argc) throw std::runtime_error("missing value after " + a);
        return argv[++i];
      };
      if (a == "--size-mb") {
        size_mb = std::stoul(next());
      } else if (a == "--seed") {
        seed = std::stoull(next());
      } else if (a == "--runs") {
        runs = std::max(1, std::stoi(next()));
      } else if (a == "--corpus") {
        corpus_file = next();
      } else if (a == "--write") {
        write_file = next();
      } else if (a == "--check") {
        check = true;
      } else if (a == "--cut-at") {
        cut_at = std::stoul(next());
      } else {
        std::cerr << "usage: bench_detect [--size-mb N] [--seed S] [--runs R] [--corpus FILE] "
                     "[--write FILE] [--check] [--cut-at BYTES]\n";
        return 2;
      }
    }

    kubepriv::bench::Corpus corpus;
    bool expected_known = false;
    if (corpus_file.empty()) {
      corpus = kubepriv::bench::Generator(seed).make(size_mb * 1000 * 1000);
      expected_known = true;
    } else {
      std::ifstream in(corpus_file, std::ios::binary);
      if (!in) {
        std::cerr << "bench_detect: cannot read " << corpus_file << "\n";
        return 2;
      }
      std::stringstream ss;
      ss << in.rdbuf();
      corpus.text = ss.str();
      std::size_t pos = 0;
      while (pos < corpus.text.size()) {
        std::size_t end = corpus.text.find('\n', pos);
        if (end == std::string::npos) end = corpus.text.size();
        if (end > pos) {
          corpus.starts.push_back(pos);
          corpus.sizes.push_back(end - pos);
        }
        pos = end + 1;
      }
    }
    if (!write_file.empty()) {
      std::ofstream out(write_file, std::ios::binary);
      out << corpus.text;
      if (!out) {
        std::cerr << "bench_detect: cannot write " << write_file << "\n";
        return 2;
      }
    }
    std::size_t cut_events = 0;
    if (cut_at != 0) {
      for (auto& size : corpus.sizes) {
        if (size > cut_at) {
          size = cut_at;
          ++cut_events;
        }
      }
    }
    const std::size_t lines = corpus.starts.size();
    std::size_t bytes = 0;
    for (const auto s : corpus.sizes) bytes += s;
    // Every line is followed by more text; the last one by this padding.
    corpus.text.append(simdjson::SIMDJSON_PADDING, ' ');
    const char* base = corpus.text.data();

    std::cerr << "bench_detect: " << lines << " events, " << static_cast<double>(bytes) / 1e6
              << " MB"
              << (expected_known ? ", risky " + std::to_string(corpus.risky) +
                                       ", expected "
                                       "privileged " +
                                       std::to_string(corpus.expected_privileged)
                                 : std::string())
              << ", simdjson kernel " << simdjson::get_active_implementation()->name() << "\n";

    simdjson::dom::parser dom;
    od::parser ondemand;
    kubepriv::audit::Evaluator evaluator;
    // The reading of issue 13's "before" (envelope On-Demand, bodies DOM-parsed again).
    kubepriv::audit::Evaluator on_demand_reading(kubepriv::audit::Evaluator::Reading::kOnDemand);
    std::vector<double> t_dom, t_od, t_eval, t_eval_od;
    std::size_t flagged_od = 0;
    std::size_t flagged = 0;
    std::size_t errors = 0;
    std::size_t with_reasons = 0;
    std::size_t truncated = 0;
    for (int run = 0; run < runs; ++run) {
      std::size_t dom_errors = 0;
      auto t0 = Clock::now();
      for (std::size_t i = 0; i < lines; ++i) {
        simdjson::dom::element e;
        if (dom.parse(base + corpus.starts[i], corpus.sizes[i], false).get(e) != simdjson::SUCCESS)
          ++dom_errors;
      }
      auto t1 = Clock::now();
      std::size_t values = 0;
      for (std::size_t i = 0; i < lines; ++i) {
        od::document doc;
        auto err = ondemand
                       .iterate(base + corpus.starts[i], corpus.sizes[i],
                                corpus.sizes[i] + simdjson::SIMDJSON_PADDING)
                       .get(doc);
        od::value v;
        if (!err) err = doc.get_value().get(v);
        if (!err) err = visit(v, values);
        if (err) ++dom_errors;
      }
      auto t2 = Clock::now();
      flagged = errors = with_reasons = truncated = 0;
      for (std::size_t i = 0; i < lines; ++i) {
        const auto& v =
            evaluator.evaluate(std::string_view(base + corpus.starts[i], corpus.sizes[i]));
        flagged += v.privileged ? 1U : 0U;
        errors += v.error.empty() ? 0U : 1U;
        with_reasons += v.reasons.empty() ? 0U : 1U;
        truncated += v.evidence == kubepriv::core::Evidence::kTruncated ? 1U : 0U;
      }
      auto t3 = Clock::now();
      flagged_od = 0;
      for (std::size_t i = 0; i < lines; ++i) {
        const auto& v =
            on_demand_reading.evaluate(std::string_view(base + corpus.starts[i], corpus.sizes[i]));
        flagged_od += v.privileged ? 1U : 0U;
      }
      t_eval_od.push_back(std::chrono::duration<double>(Clock::now() - t3).count());
      t_dom.push_back(std::chrono::duration<double>(t1 - t0).count());
      t_od.push_back(std::chrono::duration<double>(t2 - t1).count());
      t_eval.push_back(std::chrono::duration<double>(t3 - t2).count());
      if (dom_errors != 0 && cut_at == 0)
        std::cerr << "bench_detect: " << dom_errors << " bare-parse errors\n";
    }
    const double mb = static_cast<double>(bytes) / 1e6;
    const double ev = static_cast<double>(lines);
    auto row = [&](const char* what, double s) {
      std::printf("%-44s %9.1f MB/s %11.0f events/s  (median %.3f s of %d)\n", what, mb / s, ev / s,
                  s, runs);
    };
    const double d = median(t_dom), o = median(t_od), e = median(t_eval);
    row("simdjson DOM parse (bare)", d);
    row("simdjson On-Demand, every value visited", o);
    row("kubepriv Evaluator::evaluate", e);
    row("  the same, On-Demand reading (kOnDemand)", median(t_eval_od));
    std::printf("ratio evaluate/DOM parse: %.2f   evaluate/On-Demand full: %.2f\n", d / e, o / e);
    std::printf("events %zu  flagged privileged %zu  with reasons %zu  errors %zu\n", lines,
                flagged, with_reasons, errors);
    if (flagged_od != flagged) {
      std::fprintf(stderr, "bench_detect: the On-Demand reading flagged %zu events, not %zu\n",
                   flagged_od, flagged);
      return 1;
    }
    if (cut_at != 0) {
      std::printf("cut at %zu bytes: %zu events cut, %zu judged as evidence=truncated\n", cut_at,
                  cut_events, truncated);
    }
    if (check && expected_known && cut_at == 0 &&
        (flagged != corpus.expected_privileged || errors != 0)) {
      std::fprintf(stderr, "bench_detect: CHECK FAILED: flagged %zu, expected %zu, errors %zu\n",
                   flagged, corpus.expected_privileged, errors);
      return 1;
    }
    return 0;
  } catch (const std::exception& ex) {
    std::cerr << "bench_detect: " << ex.what() << "\n";
    return 2;
  }
}
