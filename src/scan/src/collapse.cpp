#include "kubepriv/scan/collapse.hpp"

#include <iterator>  // std::prev
#include <utility>   // std::move

namespace kubepriv::scan {

int stage_rank(std::string_view stage) noexcept {
  if (stage == "RequestReceived") return 0;
  if (stage == "ResponseStarted") return 1;
  return 2;
}

namespace {
constexpr int kFinal = 2;
}

AlertCollapser::AlertCollapser(Emit emit, std::size_t max_open, std::size_t max_closed)
    : emit_(std::move(emit)), max_open_(max_open == 0 ? 1 : max_open), max_closed_(max_closed) {}

void AlertCollapser::emit(const Alert& alert) {
  ++alerts_;
  emit_(alert);
}

void AlertCollapser::close(const std::string& id, int rank) {
  if (max_closed_ == 0) return;
  closed_[id] = rank;
  closed_fifo_.push_back(id);
  while (closed_fifo_.size() > max_closed_) {
    // A re-closed ID may sit in the FIFO twice; erasing on its older copy only shortens its
    // memory, it never suppresses anything wrongly.
    closed_.erase(closed_fifo_.front());
    closed_fifo_.pop_front();
  }
}

void AlertCollapser::add(const core::Verdict& verdict,
                         const std::function<void(Alert&)>& describe) {
  const int rank = stage_rank(verdict.stage);
  const std::string& id = verdict.audit_id;
  auto fill = [&](Alert& a) {
    a.verdict = verdict;
    a.rank = rank;
    describe(a);
  };
  if (id.empty()) {
    Alert a;
    fill(a);
    emit(a);
    return;
  }
  if (auto c = closed_.find(id); c != closed_.end()) {
    if (rank <= c->second) {
      ++collapsed_;
      return;
    }
    // A later stage of an alert that was emitted early (evicted): report it again rather than
    // lose the more informative verdict.
    closed_.erase(c);
  }
  if (auto o = open_.find(id); o != open_.end()) {
    ++collapsed_;
    Alert& pending = *o->second;
    if (rank > pending.rank) fill(pending);
    if (pending.rank >= kFinal) {
      emit(pending);
      close(id, pending.rank);
      order_.erase(o->second);
      open_.erase(o);
    }
    return;
  }
  if (rank >= kFinal) {
    Alert a;
    fill(a);
    emit(a);
    close(id, rank);
    return;
  }
  order_.emplace_back();
  fill(order_.back());
  open_.emplace(id, std::prev(order_.end()));
  if (open_.size() > max_open_) {
    Alert& oldest = order_.front();
    emit(oldest);
    close(oldest.verdict.audit_id, oldest.rank);
    open_.erase(oldest.verdict.audit_id);
    order_.pop_front();
  }
}

void AlertCollapser::flush() {
  for (const Alert& a : order_) {
    emit(a);
    close(a.verdict.audit_id, a.rank);
  }
  order_.clear();
  open_.clear();
}

}  // namespace kubepriv::scan
