// Fused kernels for what a transformer does around its products, each one pass over its data where
// tfjs composes several kernels (layer norm is nine of them): their memory traffic, not their
// arithmetic, was their cost in a ViT-B/32 forward.
#include <algorithm>
#include <cmath>
#include <vector>

#include "fast_math.h"
#include "kernels.h"
#include "thread_pool.h"

namespace native {

static constexpr size_t kGrain = 32768;

void layerNorm(const float* x, const float* gamma, const float* beta, float* out, float* mean, float* rstd,
               size_t rows, size_t cols, float eps) {
  size_t grain = std::max<size_t>(1, kGrain / std::max<size_t>(1, cols));
  ThreadPool::instance().parallelFor(rows, grain, [&](size_t begin, size_t end) {
    for (size_t r = begin; r < end; ++r) {
      const float* xr = x + r * cols;
      float* yr = out + r * cols;
      // Mean, then the mean of squared deviations (as the composed op does), summed in double.
      double sum = 0.0;
      for (size_t j = 0; j < cols; ++j) sum += xr[j];
      const float mu = static_cast<float>(sum / static_cast<double>(cols));
      double squares = 0.0;
      for (size_t j = 0; j < cols; ++j) {
        const float d = xr[j] - mu;
        squares += d * d;
      }
      const float variance = static_cast<float>(squares / static_cast<double>(cols));
      const float rs = 1.0f / std::sqrt(variance + eps);
      for (size_t j = 0; j < cols; ++j) yr[j] = (xr[j] - mu) * rs * gamma[j] + beta[j];
      mean[r] = mu;
      rstd[r] = rs;
    }
  });
}

void layerNormGrad(const float* x, const float* gamma, const float* dy, const float* mean, const float* rstd,
                   float* dx, float* dgamma, float* dbeta, size_t rows, size_t cols) {
  ThreadPool& pool = ThreadPool::instance();
  size_t grain = std::max<size_t>(1, kGrain / std::max<size_t>(1, cols));
  // dx = rstd·(g − mean(g) − x̂·mean(g·x̂)) with g = dy·γ and x̂ = (x − μ)·rstd, row by row.
  pool.parallelFor(rows, grain, [&](size_t begin, size_t end) {
    for (size_t r = begin; r < end; ++r) {
      const float* xr = x + r * cols;
      const float* dyr = dy + r * cols;
      float* dxr = dx + r * cols;
      const float mu = mean[r], rs = rstd[r];
      double sumG = 0.0, sumGX = 0.0;
      for (size_t j = 0; j < cols; ++j) {
        const float g = dyr[j] * gamma[j];
        sumG += g;
        sumGX += g * ((xr[j] - mu) * rs);
      }
      const float meanG = static_cast<float>(sumG / static_cast<double>(cols));
      const float meanGX = static_cast<float>(sumGX / static_cast<double>(cols));
      for (size_t j = 0; j < cols; ++j) {
        const float xhat = (xr[j] - mu) * rs;
        dxr[j] = rs * (dyr[j] * gamma[j] - meanG - xhat * meanGX);
      }
    }
  });
  // dγ = Σ dy·x̂ and dβ = Σ dy over the rows, by blocks of columns, so that each thread owns its sums.
  const size_t block = 64;
  size_t blocks = (cols + block - 1) / block;
  pool.parallelFor(blocks, rows * cols >= kGrain ? 1 : blocks,
                   [&](size_t begin, size_t end) {
                     std::vector<double> sg(block), sb(block);
                     for (size_t bi = begin; bi < end; ++bi) {
                       const size_t c0 = bi * block, c1 = std::min(cols, c0 + block);
                       std::fill(sg.begin(), sg.end(), 0.0);
                       std::fill(sb.begin(), sb.end(), 0.0);
                       for (size_t r = 0; r < rows; ++r) {
                         const float* xr = x + r * cols;
                         const float* dyr = dy + r * cols;
                         const float mu = mean[r], rs = rstd[r];
                         for (size_t j = c0; j < c1; ++j) {
                           sg[j - c0] += dyr[j] * ((xr[j] - mu) * rs);
                           sb[j - c0] += dyr[j];
                         }
                       }
                       for (size_t j = c0; j < c1; ++j) {
                         dgamma[j] = static_cast<float>(sg[j - c0]);
                         dbeta[j] = static_cast<float>(sb[j - c0]);
                       }
                     }
                   });
}

}  // namespace native
