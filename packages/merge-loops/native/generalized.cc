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

/** Entries merged a block at a time: each model's weighted differences, then the combination. */
constexpr size_t BLOCK = 2048;

/** wd[j] = the weighted, sparsified difference of model t at entry from + j. */
template <int IN>
void weighted_block(const Stored& in, size_t t, ModelRule& r, const float* b, uint32_t first, size_t from,
                    size_t len, float* wd) {
  const void* x = in.models[t];
  const float w = r.weight;
  if (r.sparsify == MAGNITUDE) {
    const float threshold = r.threshold;
    // d·w·0 in double as JavaScript computes it: ±0, also where fl(d·w) would overflow; a kept
    // entry is fl(d·w) either way
    const auto masked = [&](size_t from_j, size_t to_j, bool keep_equal) {
      for (size_t j = from_j; j < to_j; ++j) {
        const float d = load<IN>(x, from + j) - b[j];
        const float m = std::fabs(d);
        const bool keep = keep_equal ? m >= threshold : m > threshold;
        wd[j] = static_cast<float>(static_cast<double>(d) * w * (keep ? 1.0 : 0.0));
      }
    };
    // The ties at the threshold go to the lowest indices: a stretch whose equal entries all fit
    // in the ties left keeps them all at once; the stretch where they run out goes in order.
    constexpr size_t STRETCH = 256;
    for (size_t j = 0; j < len; j += STRETCH) {
      const size_t end = std::min(len, j + STRETCH);
      if (r.ties <= 0) {
        masked(j, end, false);
        continue;
      }
      size_t equal = 0;
      for (size_t i = j; i < end; ++i) equal += std::fabs(load<IN>(x, from + i) - b[i]) == threshold;
      if (static_cast<double>(equal) <= r.ties) {
        r.ties -= static_cast<double>(equal);
        masked(j, end, true);
        continue;
      }
      for (size_t i = j; i < end; ++i) {
        const float d = load<IN>(x, from + i) - b[i];
        const float m = std::fabs(d);
        if (m == threshold && r.ties > 0) {
          r.ties -= 1;
          wd[i] = d * w;
        } else {
          wd[i] = static_cast<float>(static_cast<double>(d) * w * (m > threshold ? 1.0 : 0.0));
        }
      }
    }
  } else if (r.sparsify == RANDOM) {
    const float divisor = r.dare_divisor;
    const double cut = r.cut;
    const uint32_t stream = r.stream + first + static_cast<uint32_t>(from);
    for (size_t j = 0; j < len; ++j) {
      const float d = load<IN>(x, from + j) - b[j];
      const double draw = static_cast<double>(lowbias32(stream + static_cast<uint32_t>(j)));
      wd[j] = draw < cut ? (d / divisor) * w : 0.0f;
    }
  } else {
    for (size_t j = 0; j < len; ++j) wd[j] = (load<IN>(x, from + j) - b[j]) * w;
  }
}

/**
 * The combination of T models' weighted differences (T fixed where known, else `models`), with
 * the method's switches as template arguments so that the loop has no branch and vectorises.
 */
template <int OUT, int T, bool CONSENSUS, bool NORMALIZE, bool SCALE>
uint32_t combine_block(const float* const* wd, const float* weights, size_t models, const float* b,
                       float plain_divisor, float lf, size_t from, size_t len, void* out) {
  const size_t count = T > 0 ? static_cast<size_t>(T) : models;
  uint32_t bad = 0;
  for (size_t j = 0; j < len; ++j) {
    float mixed = 0.0f;
#pragma GCC unroll 8
    for (size_t t = 0; t < count; ++t) mixed = mixed + wd[t][j];
    float m;
    if constexpr (CONSENSUS) {
      // masks instead of branches (the loop vectorises): an entry of the elected sign s (v·s > 0:
      // not 0, not NaN) is added, any other adds +0, which leaves a sum started at +0 unchanged
      const float s = float_of(0x3f800000u | (mixed >= 0.0f ? 0u : 0x80000000u));
      float sum = 0.0f;
      float weight = 0.0f;
#pragma GCC unroll 8
      for (size_t t = 0; t < count; ++t) {
        const uint32_t keep = 0u - static_cast<uint32_t>(wd[t][j] * s > 0.0f);
        sum = sum + float_of(bits_of(wd[t][j]) & keep);
        weight = weight + float_of(bits_of(weights[t]) & keep);
      }
      if constexpr (NORMALIZE) {
        // a zero divisor counts as 1 (weight + 1 where weight is ±0, else weight + 0 = weight)
        m = sum / (weight + float_of(weight == 0.0f ? 0x3f800000u : 0u));
      } else {
        m = sum;
      }
    } else if constexpr (NORMALIZE) {
      m = mixed / plain_divisor;
    } else {
      m = mixed;
    }
    if constexpr (SCALE) m = m * lf;
    bad += store<OUT>(out, from + j, b[j] + m);
  }
  return bad;
}

/** combine_block for the runtime switches. */
template <int OUT, int T>
uint32_t combine_any(const float* const* wd, const float* weights, size_t models, const float* b, bool consensus,
                     bool normalize, float plain_divisor, bool scale, float lf, size_t from, size_t len, void* out) {
  const int key = (consensus ? 4 : 0) | (normalize ? 2 : 0) | (scale ? 1 : 0);
#define MERGE_LOOPS_COMBINE(K, C, N, S) \
  case K:                               \
    return combine_block<OUT, T, C, N, S>(wd, weights, models, b, plain_divisor, lf, from, len, out);
  switch (key) {
    MERGE_LOOPS_COMBINE(0, false, false, false)
    MERGE_LOOPS_COMBINE(1, false, false, true)
    MERGE_LOOPS_COMBINE(2, false, true, false)
    MERGE_LOOPS_COMBINE(3, false, true, true)
    MERGE_LOOPS_COMBINE(4, true, false, false)
    MERGE_LOOPS_COMBINE(5, true, false, true)
    MERGE_LOOPS_COMBINE(6, true, true, false)
    default:
      return combine_block<OUT, T, true, true, true>(wd, weights, models, b, plain_divisor, lf, from, len, out);
  }
#undef MERGE_LOOPS_COMBINE
}

template <int IN, int OUT>
uint32_t merge_part(const Stored& in, ModelRule* rules, bool consensus, bool normalize, float plain_divisor,
                    bool scale, float lf, double first_index, size_t from, size_t to, void* out) {
  const size_t T = in.models.size();
  // DARE draws entry i from lowbias32((stream + first_index + i) mod 2^32)
  const uint32_t first = static_cast<uint32_t>(std::fmod(first_index, 4294967296.0));
  std::vector<float> work((T + 1) * BLOCK);
  float* b = work.data();
  std::vector<const float*> wd(T);
  std::vector<float> weights(T);
  for (size_t t = 0; t < T; ++t) {
    wd[t] = work.data() + (t + 1) * BLOCK;
    weights[t] = rules[t].weight;
  }
  uint32_t bad = 0;
  for (size_t at = from; at < to; at += BLOCK) {
    const size_t len = std::min(BLOCK, to - at);
    for (size_t j = 0; j < len; ++j) b[j] = load<IN>(in.base, at + j);
    for (size_t t = 0; t < T; ++t) weighted_block<IN>(in, t, rules[t], b, first, at, len, const_cast<float*>(wd[t]));
    const auto combine = [&]<int N>() {
      return combine_any<OUT, N>(wd.data(), weights.data(), T, b, consensus, normalize, plain_divisor, scale, lf, at,
                                 len, out);
    };
    switch (T) {
      case 2:
        bad += combine.template operator()<2>();
        break;
      case 3:
        bad += combine.template operator()<3>();
        break;
      case 4:
        bad += combine.template operator()<4>();
        break;
      default:
        bad += combine.template operator()<0>();
    }
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
