#pragma once
/// @file
/// Captures what the code logs through spdlog's default logger while the object lives.

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <memory>  // std::shared_ptr
#include <mutex>   // std::mutex
#include <string>  // std::string
#include <vector>  // std::vector

#include "kubepriv/logging/stderr_sink.hpp"

namespace kubepriv::logging {

/// Swaps spdlog's default logger for one that records every message (DEBUG included); restores
/// the previous logger when destroyed.
class CaptureLogs {
 public:
  CaptureLogs() : previous_(spdlog::default_logger()) {
    auto logger = std::make_shared<spdlog::logger>("capture", std::make_shared<Sink>(*this));
    logger->set_level(spdlog::level::debug);
    spdlog::set_default_logger(std::move(logger));
  }
  ~CaptureLogs() { spdlog::set_default_logger(previous_); }
  CaptureLogs(const CaptureLogs&) = delete;
  CaptureLogs& operator=(const CaptureLogs&) = delete;

  std::vector<std::string> lines;     ///< "<LEVEL> <message>", as the stderr sink writes them
  std::vector<std::string> messages;  ///< the messages alone

 private:
  class Sink final : public spdlog::sinks::base_sink<std::mutex> {
   public:
    explicit Sink(CaptureLogs& owner) : owner_(owner) {}

   protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
      std::string text(msg.payload.data(), msg.payload.size());
      owner_.lines.push_back(std::string(level_word(msg.level)) + " " + text);
      owner_.messages.push_back(std::move(text));
    }
    void flush_() override {}

   private:
    CaptureLogs& owner_;
  };
  std::shared_ptr<spdlog::logger> previous_;
};

}  // namespace kubepriv::logging
