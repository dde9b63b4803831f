// Task arithmetic and linear: one pass per entry, decode, merge, round and count in one loop.
#include <atomic>

#include "loops.h"
#include "parallel.h"
#include "storage.h"

namespace merge_loops {

namespace {

constexpr size_t MIN_PART = 1 << 16;

template <int IN, int OUT>
uint32_t plain_part(const Stored& in, const float* w, float divisor, bool scale, float lf, size_t from,
                    size_t to, void* out) {
  const size_t T = in.models.size();
  const void* base = in.base;
  uint32_t bad = 0;
  const bool divide = divisor != 1.0f;
  if (T == 3) {
    const void* x0 = in.models[0];
    const void* x1 = in.models[1];
    const void* x2 = in.models[2];
    const float w0 = w[0], w1 = w[1], w2 = w[2];
    for (size_t i = from; i < to; ++i) {
      const float b = load<IN>(base, i);
      float m = (load<IN>(x0, i) - b) * w0;
      m = m + (load<IN>(x1, i) - b) * w1;
      m = m + (load<IN>(x2, i) - b) * w2;
      if (divide) m = m / divisor;
      if (scale) m = m * lf;
      bad += store<OUT>(out, i, b + m);
    }
    return bad;
  }
  for (size_t i = from; i < to; ++i) {
    const float b = load<IN>(base, i);
    float m = 0.0f;
    for (size_t t = 0; t < T; ++t) m = m + (load<IN>(in.models[t], i) - b) * w[t];
    if (divide) m = m / divisor;
    if (scale) m = m * lf;
    bad += store<OUT>(out, i, b + m);
  }
  return bad;
}

template <int IN, int OUT>
uint32_t linear_part(const Stored& in, const float* w, bool normalize, float total, size_t from, size_t to,
                     void* out) {
  const size_t T = in.models.size();
  uint32_t bad = 0;
  for (size_t i = from; i < to; ++i) {
    float acc = 0.0f;
    for (size_t t = 0; t < T; ++t) acc = acc + load<IN>(in.models[t], i) * w[t];
    if (normalize) acc = acc / total;
    bad += store<OUT>(out, i, acc);
  }
  return bad;
}

/** Runs part(from, to) over [0, n) split over the threads; sums what the parts return. */
template <typename Part>
uint32_t split(size_t n, Part&& part) {
  std::atomic<uint32_t> bad{0};
  run_parts(parts_for(n, MIN_PART), 0, n, [&](int, size_t from, size_t to) { bad += part(from, to); });
  return bad.load();
}

}  // namespace

uint32_t plain_merge(const Stored& in, const float* w, float divisor, bool scale, float lf, size_t n,
                     int out_dtype, void* out) {
  return with_dtype(in.dtype, [&]<int IN>() {
    return with_dtype(out_dtype, [&]<int OUT>() {
      return split(n, [&](size_t from, size_t to) {
        return plain_part<IN, OUT>(in, w, divisor, scale, lf, from, to, out);
      });
    });
  });
}

uint32_t linear_merge(const Stored& in, const float* w, bool normalize, float total, size_t n, int out_dtype,
                      void* out) {
  return with_dtype(in.dtype, [&]<int IN>() {
    return with_dtype(out_dtype, [&]<int OUT>() {
      return split(n, [&](size_t from, size_t to) {
        return linear_part<IN, OUT>(in, w, normalize, total, from, to, out);
      });
    });
  });
}

}  // namespace merge_loops
