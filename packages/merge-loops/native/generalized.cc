// mergekit's generalized task arithmetic, entry by entry over every model: sparsify and weight
// each difference (generalized-key.ts's weightedPlain / weightedMagnitude / weightedRandom), then
// sum, or elect the sign of the sum and keep the entries of that sign (electThree / electInto),
// normalise, scale, add to the base and round. The per-model ties at the threshold run in index
// order: with several threads, each part first counts the ties before it.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <vector>

#include "loops.h"
#include "parallel.h"
#include "storage.h"

namespace merge_loops {

namespace {

constexpr size_t MIN_PART = 1 << 16;

inline uint32_t lowbias32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352du;
  x ^= x >> 15;
  x *= 0x846ca68bu;
  return x ^ (x >> 16);
}

template <int IN>
size_t count_at_threshold(const Stored& in, size_t t, float threshold, size_t from, size_t to) {
  size_t equal = 0;
  for (size_t i = from; i < to; ++i)
    equal += std::fabs(load<IN>(in.models[t], i) - load<IN>(in.base, i)) == threshold;
  return equal;
}

template <int IN, int OUT>
uint32_t merge_part(const Stored& in, ModelRule* rules, bool consensus, bool normalize, float plain_divisor,
                    bool scale, float lf, double first_index, size_t from, size_t to, void* out) {
  const size_t T = in.models.size();
  float wd[MAX_MODELS];
  // DARE draws entry i from lowbias32((stream + first_index + i) mod 2^32)
  const uint32_t first = static_cast<uint32_t>(std::fmod(first_index, 4294967296.0));
  uint32_t bad = 0;
  for (size_t i = from; i < to; ++i) {
    const float b = load<IN>(in.base, i);
    for (size_t t = 0; t < T; ++t) {
      ModelRule& r = rules[t];
      const float d = load<IN>(in.models[t], i) - b;
      if (r.sparsify == MAGNITUDE) {
        const float m = std::fabs(d);
        if (m == r.threshold && r.ties > 0) {
          r.ties -= 1;
          wd[t] = d * r.weight;
        } else {
          // d·w·0 in double as JavaScript computes it: ±0, also where fl(d·w) would overflow
          wd[t] = static_cast<float>(static_cast<double>(d) * r.weight * (m > r.threshold ? 1.0 : 0.0));
        }
      } else if (r.sparsify == RANDOM) {
        const uint32_t index = r.stream + first + static_cast<uint32_t>(i);
        wd[t] = static_cast<double>(lowbias32(index)) < r.cut ? (d / r.dare_divisor) * r.weight : 0.0f;
      } else {
        wd[t] = d * r.weight;
      }
    }
    float mixed = 0.0f;
    for (size_t t = 0; t < T; ++t) mixed = mixed + wd[t];
    float m;
    if (consensus) {
      const float s = mixed >= 0.0f ? 1.0f : -1.0f;
      float sum = 0.0f;
      float weight = 0.0f;
      for (size_t t = 0; t < T; ++t) {
        if (wd[t] * s > 0.0f) {
          sum = sum + wd[t];
          weight = weight + rules[t].weight;
        }
      }
      m = normalize ? sum / (weight == 0.0f ? 1.0f : weight) : sum;
    } else {
      m = normalize ? mixed / plain_divisor : mixed;
    }
    if (scale) m = m * lf;
    bad += store<OUT>(out, i, b + m);
  }
  return bad;
}

}  // namespace

uint32_t generalized_merge(const Stored& in, std::vector<ModelRule>& rules, bool consensus, bool normalize,
                           float plain_divisor, bool scale, float lf, double first_index, size_t n,
                           int out_dtype, void* out) {
  const size_t T = in.models.size();
  const int parts = parts_for(n, MIN_PART);
  // Each part's rules: its own copy, the ties left at its start.
  std::vector<std::vector<ModelRule>> part_rules(static_cast<size_t>(parts), rules);
  bool ordered = false;
  for (const ModelRule& r : rules) ordered = ordered || (r.sparsify == MAGNITUDE && r.ties > 0);
  std::atomic<uint32_t> bad{0};
  with_dtype(in.dtype, [&]<int IN>() {
    if (ordered && parts > 1) {
      std::vector<double> equal(static_cast<size_t>(parts) * T, 0.0);
      run_parts(parts, 0, n, [&](int part, size_t from, size_t to) {
        if (part == parts - 1) return;  // nothing after the last part needs its count
        for (size_t t = 0; t < T; ++t) {
          if (rules[t].sparsify == MAGNITUDE && rules[t].ties > 0)
            equal[part * T + t] = static_cast<double>(count_at_threshold<IN>(in, t, rules[t].threshold, from, to));
        }
      });
      for (size_t t = 0; t < T; ++t) {
        double before = 0;
        for (int part = 0; part < parts; ++part) {
          part_rules[part][t].ties = std::max(0.0, rules[t].ties - before);
          before += equal[part * T + t];
        }
      }
    }
    with_dtype(out_dtype, [&]<int OUT>() {
      run_parts(parts, 0, n, [&](int part, size_t from, size_t to) {
        bad += merge_part<IN, OUT>(in, part_rules[part].data(), consensus, normalize, plain_divisor, scale, lf,
                                   first_index, from, to, out);
      });
      return 0;
    });
    return 0;
  });
  // the ties left after the last entry are the last part's
  for (size_t t = 0; t < T; ++t) rules[t].ties = part_rules[parts - 1][t].ties;
  return bad.load();
}

}  // namespace merge_loops
