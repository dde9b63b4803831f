// The merge loops over stored entries (F32, F16 or BF16 in and out), each one the same float32
// operations in the same order as task-vectors' JavaScript loops, so the results are equal bit
// for bit. Built with -ffp-contract=off: no multiply-add is ever fused. Each returns how many
// merged values are NaN or infinite, which the caller refuses.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace merge_loops {

/** Entries [0, n) of one key in every model, as stored. */
struct Stored {
  int dtype;
  /** The base model's entries (nullptr for merges without one). */
  const void* base;
  std::vector<const void*> models;
};

/**
 * Task arithmetic: θ₀ + λ·(Σᵢ fl(δᵢ·wᵢ)) / divisor. With three models the sum starts from the
 * first product, otherwise from +0 (as the JavaScript loops do; they differ on −0 alone).
 */
uint32_t plain_merge(const Stored& in, const float* w, float divisor, bool scale, float lf, size_t n,
                     int out_dtype, void* out);

/** mergekit's linear: Σᵢ fl(θᵢ·wᵢ) from +0, divided by `total` when normalising. */
uint32_t linear_merge(const Stored& in, const float* w, bool normalize, float total, size_t n, int out_dtype,
                      void* out);

/**
 * A pass of the per-tensor magnitude selection over |fl(θᵢ − θ₀)|: pass 0 counts the high 16
 * bits (sign cleared) into high[t]; pass 1 counts the low 16 bits of the values whose high bits
 * are bins[t] into low[t]. Models whose counts are nullptr are skipped. first_nan[t] is the
 * first entry whose difference is NaN (pass 0), or -1.
 */
void magnitude_scan(int pass, const Stored& in, const std::vector<uint32_t*>& counts, const int32_t* bins,
                    size_t n, int64_t* first_nan);

/** Models a generalized merge takes at most. */
constexpr size_t MAX_MODELS = 64;

enum Sparsify : int { KEEP_ALL = 0, MAGNITUDE = 1, RANDOM = 2 };

/** How one model's differences are sparsified and weighted. */
struct ModelRule {
  int sparsify;
  float weight;
  /** MAGNITUDE: keep |δ| > threshold, and the next `ties` entries with |δ| = threshold (updated). */
  float threshold;
  double ties;
  /** RANDOM: keep entry i when lowbias32(stream + i) < cut, divided by dare_divisor. */
  uint32_t stream;
  double cut;
  float dare_divisor;
};

/**
 * mergekit's generalized task arithmetic (ties, dare_*, magnitude or random sparsification
 * without consensus); `first_index` is the key's index of entry 0 (DARE's draws).
 */
uint32_t generalized_merge(const Stored& in, std::vector<ModelRule>& rules, bool consensus, bool normalize,
                           float plain_divisor, bool scale, float lf, double first_index, size_t n,
                           int out_dtype, void* out);

}  // namespace merge_loops
