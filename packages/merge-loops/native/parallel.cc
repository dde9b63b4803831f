#include "parallel.h"

#include <algorithm>
#include <cstdlib>
#include <thread>
#include <vector>

namespace merge_loops {

namespace {

int initial_threads() {
  if (const char* env = std::getenv("MERGEBENCH_MERGE_THREADS")) {
    const int n = std::atoi(env);
    if (n >= 1) return std::min(n, 64);
  }
  const unsigned cores = std::thread::hardware_concurrency();
  return static_cast<int>(std::clamp(cores, 1u, 8u));
}

int threads = initial_threads();

}  // namespace

int thread_count() { return threads; }

void set_thread_count(int n) { threads = std::clamp(n, 1, 64); }

int parts_for(size_t n, size_t min_part) {
  const size_t by_size = std::max<size_t>(1, n / std::max<size_t>(1, min_part));
  return static_cast<int>(std::min<size_t>(by_size, static_cast<size_t>(threads)));
}

void run_parts(int parts, size_t from, size_t to, const std::function<void(int, size_t, size_t)>& fn) {
  const size_t n = to - from;
  auto bound = [&](int p) { return from + n * static_cast<size_t>(p) / static_cast<size_t>(parts); };
  if (parts <= 1) {
    fn(0, from, to);
    return;
  }
  std::vector<std::thread> others;
  others.reserve(parts - 1);
  for (int p = 1; p < parts; ++p) others.emplace_back(fn, p, bound(p), bound(p + 1));
  fn(0, bound(0), bound(1));
  for (auto& t : others) t.join();
}

}  // namespace merge_loops
