#include <algorithm>
#include <cstring>

#include "kernels.h"
#include "thread_pool.h"

namespace native {

static constexpr size_t kTile = 32;

/** The permutation with size-1 axes dropped and runs of axes that stay adjacent merged. */
static void collapse(const std::vector<int64_t>& shape, const std::vector<int64_t>& perm,
                     std::vector<int64_t>& dims, std::vector<int64_t>& order) {
  std::vector<int64_t> kept;  // input axes kept, in input order
  for (size_t d = 0; d < shape.size(); ++d)
    if (shape[d] != 1) kept.push_back(static_cast<int64_t>(d));
  // Output order over kept axes.
  std::vector<int64_t> outAxes;
  for (int64_t axis : perm)
    if (shape[axis] != 1) outAxes.push_back(axis);
  // Group output axes into runs that are consecutive in the input too.
  std::vector<std::vector<int64_t>> runs;
  for (size_t i = 0; i < outAxes.size(); ++i) {
    if (i > 0) {
      auto& run = runs.back();
      auto prevPos = std::find(kept.begin(), kept.end(), run.back()) - kept.begin();
      auto pos = std::find(kept.begin(), kept.end(), outAxes[i]) - kept.begin();
      if (pos == prevPos + 1) {
        run.push_back(outAxes[i]);
        continue;
      }
    }
    runs.push_back({outAxes[i]});
  }
  // Runs sorted by input position give the collapsed input dims.
  std::vector<size_t> byInput(runs.size());
  for (size_t i = 0; i < runs.size(); ++i) byInput[i] = i;
  std::sort(byInput.begin(), byInput.end(), [&](size_t l, size_t r) { return runs[l][0] < runs[r][0]; });
  dims.assign(runs.size(), 1);
  std::vector<int64_t> runToInputDim(runs.size());
  for (size_t i = 0; i < byInput.size(); ++i) {
    runToInputDim[byInput[i]] = static_cast<int64_t>(i);
    for (int64_t axis : runs[byInput[i]]) dims[i] *= shape[axis];
  }
  order.resize(runs.size());
  for (size_t i = 0; i < runs.size(); ++i) order[i] = runToInputDim[i];
}

/** Transposes keeping the innermost axis in place: contiguous rows copied whole. */
static void transposeRows(const float* x, const std::vector<int64_t>& dims, const std::vector<int64_t>& order,
                          float* out) {
  size_t rank = dims.size();
  size_t row = static_cast<size_t>(dims[rank - 1]);
  std::vector<int64_t> inStrides(rank);
  int64_t stride = 1;
  for (size_t d = rank; d-- > 0;) {
    inStrides[d] = stride;
    stride *= dims[d];
  }
  size_t rows = static_cast<size_t>(stride) / row;
  size_t grain = std::max<size_t>(1, 32768 / std::max<size_t>(1, row));
  ThreadPool::instance().parallelFor(rows, grain, [&](size_t begin, size_t end) {
    for (size_t r = begin; r < end; ++r) {
      size_t rest = r, inBase = 0;
      for (size_t d = rank - 1; d-- > 0;) {
        size_t extent = static_cast<size_t>(dims[order[d]]);
        inBase += (rest % extent) * static_cast<size_t>(inStrides[order[d]]);
        rest /= extent;
      }
      std::memcpy(out + r * row, x + inBase, row * sizeof(float));
    }
  });
}

void transpose(const float* x, const std::vector<int64_t>& shape, const std::vector<int64_t>& perm, float* out) {
  std::vector<int64_t> dims, order;
  collapse(shape, perm, dims, order);
  size_t rank = dims.size();
  size_t size = 1;
  for (int64_t d : dims) size *= static_cast<size_t>(d);
  if (rank <= 1) {
    std::memcpy(out, x, size * sizeof(float));
    return;
  }
  std::vector<int64_t> inStrides(rank);
  int64_t stride = 1;
  for (size_t d = rank; d-- > 0;) {
    inStrides[d] = stride;
    stride *= dims[d];
  }
  std::vector<int64_t> outDims(rank), outInStride(rank);
  for (size_t i = 0; i < rank; ++i) {
    outDims[i] = dims[order[i]];
    outInStride[i] = inStrides[order[i]];
  }
  // The input's innermost axis sits at output position p; the output's innermost axis reads the input
  // with stride outInStride[rank-1]. Tiles over those two axes keep both sides cache-friendly.
  size_t p = static_cast<size_t>(std::find(order.begin(), order.end(), static_cast<int64_t>(rank - 1)) - order.begin());
  size_t q = rank - 1;
  if (p == q) {
    // The innermost axis stays innermost: whole rows move.
    transposeRows(x, dims, order, out);
    return;
  }
  std::vector<int64_t> outStrides(rank);
  stride = 1;
  for (size_t d = rank; d-- > 0;) {
    outStrides[d] = stride;
    stride *= outDims[d];
  }
  // Outer axes: every output axis but p and q.
  std::vector<size_t> outerAxes;
  for (size_t d = 0; d < rank; ++d)
    if (d != p && d != q) outerAxes.push_back(d);
  size_t outerCount = 1;
  for (size_t d : outerAxes) outerCount *= static_cast<size_t>(outDims[d]);
  size_t P = static_cast<size_t>(outDims[p]), Q = static_cast<size_t>(outDims[q]);
  size_t pIn = 1, qIn = static_cast<size_t>(outInStride[q]);
  size_t pOut = static_cast<size_t>(outStrides[p]);
  size_t grain = std::max<size_t>(1, 32768 / std::max<size_t>(1, P * Q));
  ThreadPool::instance().parallelFor(outerCount, grain, [&](size_t begin, size_t end) {
    for (size_t o = begin; o < end; ++o) {
      size_t rest = o;
      size_t inBase = 0, outBase = 0;
      for (size_t k = outerAxes.size(); k-- > 0;) {
        size_t d = outerAxes[k];
        size_t idx = rest % static_cast<size_t>(outDims[d]);
        rest /= static_cast<size_t>(outDims[d]);
        inBase += idx * static_cast<size_t>(outInStride[d]);
        outBase += idx * static_cast<size_t>(outStrides[d]);
      }
      for (size_t i0 = 0; i0 < P; i0 += kTile) {
        size_t i1 = std::min(P, i0 + kTile);
        for (size_t j0 = 0; j0 < Q; j0 += kTile) {
          size_t j1 = std::min(Q, j0 + kTile);
          for (size_t i = i0; i < i1; ++i) {
            const float* in = x + inBase + i * pIn;
            float* o2 = out + outBase + i * pOut;
            for (size_t j = j0; j < j1; ++j) o2[j] = in[j * qIn];
          }
        }
      }
    }
  });
}

}  // namespace native
