// The two histogram passes of the per-tensor magnitude selection (task-vectors'
// magnitude-select.ts) over |fl(θᵢ − θ₀)|, straight from the stored entries. Each thread counts
// its part into histograms of its own, added into the caller's afterwards.
#include <algorithm>
#include <cstring>
#include <vector>

#include "loops.h"
#include "parallel.h"
#include "storage.h"

namespace merge_loops {

namespace {

constexpr size_t MIN_PART = 1 << 17;
constexpr size_t HIGH_BINS = 1 << 15;
constexpr size_t LOW_BINS = 1 << 16;
constexpr uint32_t ABS_MASK = 0x7fffffffu;
constexpr uint32_t INFINITY_BITS = 0x7f800000u;

template <int IN>
int64_t count_high(const void* base, const void* x, uint32_t* counts, size_t from, size_t to) {
  uint32_t non_finite = 0;
  for (size_t i = from; i < to; ++i) {
    const uint32_t a = bits_of(load<IN>(x, i) - load<IN>(base, i)) & ABS_MASK;
    non_finite += a >= INFINITY_BITS;
    counts[a >> 16]++;
  }
  if (non_finite == 0) return -1;
  for (size_t i = from; i < to; ++i) {
    if ((bits_of(load<IN>(x, i) - load<IN>(base, i)) & ABS_MASK) > INFINITY_BITS) return static_cast<int64_t>(i);
  }
  return -1;
}

template <int IN>
void count_low(const void* base, const void* x, uint32_t* counts, uint32_t bin, size_t from, size_t to) {
  for (size_t i = from; i < to; ++i) {
    const uint32_t a = bits_of(load<IN>(x, i) - load<IN>(base, i)) & ABS_MASK;
    if ((a >> 16) == bin) counts[a & 0xffffu]++;
  }
}

}  // namespace

void magnitude_scan(int pass, const Stored& in, const std::vector<uint32_t*>& counts, const int32_t* bins,
                    size_t n, int64_t* first_nan) {
  const size_t T = in.models.size();
  const size_t bins_per = pass == 0 ? HIGH_BINS : LOW_BINS;
  const int parts = parts_for(n * T, MIN_PART);
  // part 0 counts into the caller's histograms; the others into their own, zeroed here
  std::vector<std::vector<uint32_t>> own(static_cast<size_t>(std::max(0, parts - 1)));
  std::vector<int64_t> nan_at(static_cast<size_t>(parts) * T, -1);
  with_dtype(in.dtype, [&]<int IN>() {
    run_parts(parts, 0, n, [&](int part, size_t from, size_t to) {
      uint32_t* mine = nullptr;
      if (part > 0) {
        own[part - 1].assign(bins_per * T, 0);
        mine = own[part - 1].data();
      }
      for (size_t t = 0; t < T; ++t) {
        if (!counts[t]) continue;
        uint32_t* c = part == 0 ? counts[t] : mine + t * bins_per;
        if (pass == 0) {
          nan_at[part * T + t] = count_high<IN>(in.base, in.models[t], c, from, to);
        } else {
          count_low<IN>(in.base, in.models[t], c, static_cast<uint32_t>(bins[t]), from, to);
        }
      }
      return 0;
    });
    return 0;
  });
  for (size_t t = 0; t < T; ++t) {
    first_nan[t] = -1;
    if (!counts[t]) continue;
    for (int part = parts - 1; part >= 0; --part) {
      if (nan_at[part * T + t] >= 0) first_nan[t] = nan_at[part * T + t];
    }
    for (int part = 1; part < parts; ++part) {
      const uint32_t* c = own[part - 1].data() + t * bins_per;
      for (size_t b = 0; b < bins_per; ++b) counts[t][b] += c[b];
    }
  }
}

}  // namespace merge_loops
