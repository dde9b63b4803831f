#include <algorithm>
#include <cstring>
#include <limits>

#include "fast_math.h"
#include "kernels.h"
#include "thread_pool.h"

namespace native {

static constexpr size_t kGrain = 32768;
static constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// Sums accumulate in double, as the cpu backend's JavaScript does.
static float reduceRow(ReduceOp op, const float* x, size_t n) {
  if (op == ReduceOp::Sum || op == ReduceOp::Mean) {
    double sum = 0.0;
    for (size_t j = 0; j < n; ++j) sum += x[j];
    return static_cast<float>(op == ReduceOp::Mean ? sum / static_cast<double>(n) : sum);
  }
  // A NaN anywhere makes the result NaN, as the cpu backend's max and min do.
  bool nan = false;
  float best = x[0];
  if (op == ReduceOp::Max) {
    for (size_t j = 0; j < n; ++j) {
      nan |= x[j] != x[j];
      best = x[j] > best ? x[j] : best;
    }
  } else {
    for (size_t j = 0; j < n; ++j) {
      nan |= x[j] != x[j];
      best = x[j] < best ? x[j] : best;
    }
  }
  return nan ? kNaN : best;
}

void reduceRows(ReduceOp op, const float* x, float* out, size_t outer, size_t inner) {
  size_t grain = std::max<size_t>(1, kGrain / std::max<size_t>(1, inner));
  ThreadPool::instance().parallelFor(outer, grain, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) out[i] = reduceRow(op, x + i * inner, inner);
  });
}

void reduceColumns(ReduceOp op, const float* x, float* out, size_t outer, size_t inner) {
  size_t grain = std::max<size_t>(1, kGrain / std::max<size_t>(1, outer));
  ThreadPool::instance().parallelFor(inner, grain, [&](size_t begin, size_t end) {
    size_t width = end - begin;
    if (op == ReduceOp::Sum || op == ReduceOp::Mean) {
      std::vector<double> sum(width, 0.0);
      for (size_t i = 0; i < outer; ++i) {
        const float* row = x + i * inner + begin;
        for (size_t j = 0; j < width; ++j) sum[j] += row[j];
      }
      for (size_t j = 0; j < width; ++j)
        out[begin + j] = static_cast<float>(op == ReduceOp::Mean ? sum[j] / static_cast<double>(outer) : sum[j]);
      return;
    }
    std::vector<unsigned char> nan(width, 0);
    std::memcpy(out + begin, x + begin, width * sizeof(float));
    for (size_t i = 0; i < outer; ++i) {
      const float* row = x + i * inner + begin;
      float* best = out + begin;
      if (op == ReduceOp::Max) {
        for (size_t j = 0; j < width; ++j) {
          nan[j] |= row[j] != row[j];
          best[j] = row[j] > best[j] ? row[j] : best[j];
        }
      } else {
        for (size_t j = 0; j < width; ++j) {
          nan[j] |= row[j] != row[j];
          best[j] = row[j] < best[j] ? row[j] : best[j];
        }
      }
    }
    for (size_t j = 0; j < width; ++j)
      if (nan[j]) out[begin + j] = kNaN;
  });
}

void softmax(const float* x, float* out, size_t rows, size_t cols) {
  size_t grain = std::max<size_t>(1, kGrain / std::max<size_t>(1, cols));
  ThreadPool::instance().parallelFor(rows, grain, [&](size_t begin, size_t end) {
    for (size_t r = begin; r < end; ++r) {
      const float* in = x + r * cols;
      float* o = out + r * cols;
      float max = reduceRow(ReduceOp::Max, in, cols);
      // The exponentials in a loop of their own, which the compiler vectorises (a float sum in the
      // same loop kept it scalar); the sum after, in the same order as before.
      for (size_t j = 0; j < cols; ++j) o[j] = expApprox(in[j] - max);
      float sum = 0.0f;
      for (size_t j = 0; j < cols; ++j) sum += o[j];
      for (size_t j = 0; j < cols; ++j) o[j] /= sum;
    }
  });
}

}  // namespace native
