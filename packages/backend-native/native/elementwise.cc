#include <cmath>
#include <limits>

#include "fast_math.h"
#include "kernels.h"
#include "thread_pool.h"

namespace native {

// Elementwise work smaller than this runs on the calling thread: waking the pool costs more.
static constexpr size_t kGrain = 32768;
static constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// The semantics follow the cpu backend's JavaScript (Math.max, Math.pow, ...), NaN included.
template <BinaryOp op>
static inline float apply(float a, float b) {
  if constexpr (op == BinaryOp::Add) return a + b;
  if constexpr (op == BinaryOp::Sub) return a - b;
  if constexpr (op == BinaryOp::Mul) return a * b;
  if constexpr (op == BinaryOp::Div) return a / b;
  if constexpr (op == BinaryOp::Maximum) return (a != a || b != b) ? kNaN : (a > b ? a : b);
  if constexpr (op == BinaryOp::Minimum) return (a != a || b != b) ? kNaN : (a < b ? a : b);
  if constexpr (op == BinaryOp::SquaredDifference) return (a - b) * (a - b);
  if constexpr (op == BinaryOp::Prelu) return a < 0.0f ? b * a : a;
  if constexpr (op == BinaryOp::QuickGeluGrad) {
    // d/dx x·σ(1.702x) = σ + 1.702·x·σ·(1 − σ), times the incoming gradient b.
    const float s = 1.0f / (1.0f + expApprox(-1.702f * a));
    return b * (s + 1.702f * a * s * (1.0f - s));
  }
  if constexpr (op == BinaryOp::Pow) {
    // Math.pow gives NaN where C's pow gives 1: a NaN exponent, and ±1 to an infinite power.
    if (b != b || ((a == 1.0f || a == -1.0f) && std::isinf(b))) return kNaN;
    return static_cast<float>(std::pow(static_cast<double>(a), static_cast<double>(b)));
  }
  return 0.0f;
}

/** One row of the innermost (collapsed) dimension; strides are 0 (broadcast) or 1. */
template <BinaryOp op>
static void binaryRow(const float* a, size_t sa, const float* b, size_t sb, float* out, size_t n) {
  if (sa == 1 && sb == 1) {
    for (size_t i = 0; i < n; ++i) out[i] = apply<op>(a[i], b[i]);
  } else if (sa == 1) {
    const float bv = b[0];
    for (size_t i = 0; i < n; ++i) out[i] = apply<op>(a[i], bv);
  } else if (sb == 1) {
    const float av = a[0];
    for (size_t i = 0; i < n; ++i) out[i] = apply<op>(av, b[i]);
  } else {
    const float v = apply<op>(a[0], b[0]);
    for (size_t i = 0; i < n; ++i) out[i] = v;
  }
}

struct BroadcastPlan {
  std::vector<int64_t> dims;  // collapsed output dims
  std::vector<int64_t> aStrides, bStrides;
};

/** Right-aligns both shapes on the output's, gives broadcast dims stride 0, merges contiguous runs. */
static BroadcastPlan plan(const std::vector<int64_t>& aShape, const std::vector<int64_t>& bShape,
                          const std::vector<int64_t>& outShape) {
  size_t rank = outShape.size();
  auto strides = [&](const std::vector<int64_t>& shape) {
    std::vector<int64_t> s(rank, 0);
    int64_t stride = 1;
    for (size_t i = 0; i < shape.size(); ++i) {
      size_t d = shape.size() - 1 - i;
      size_t od = rank - 1 - i;
      s[od] = shape[d] == 1 ? 0 : stride;
      stride *= shape[d];
    }
    return s;
  };
  std::vector<int64_t> as = strides(aShape), bs = strides(bShape);
  BroadcastPlan p;
  for (size_t d = 0; d < rank; ++d) {
    if (outShape[d] == 1) continue;
    if (!p.dims.empty()) {
      size_t last = p.dims.size() - 1;
      bool aMerge = p.aStrides[last] == as[d] * outShape[d] && (as[d] != 0 || p.aStrides[last] == 0);
      bool bMerge = p.bStrides[last] == bs[d] * outShape[d] && (bs[d] != 0 || p.bStrides[last] == 0);
      if (aMerge && bMerge) {
        p.dims[last] *= outShape[d];
        p.aStrides[last] = as[d];
        p.bStrides[last] = bs[d];
        continue;
      }
    }
    p.dims.push_back(outShape[d]);
    p.aStrides.push_back(as[d]);
    p.bStrides.push_back(bs[d]);
  }
  if (p.dims.empty()) {
    p.dims.push_back(1);
    p.aStrides.push_back(0);
    p.bStrides.push_back(0);
  }
  return p;
}

template <BinaryOp op>
static void binaryPlanned(const float* a, const float* b, float* out, const BroadcastPlan& p) {
  size_t rank = p.dims.size();
  size_t inner = static_cast<size_t>(p.dims[rank - 1]);
  size_t sa = static_cast<size_t>(p.aStrides[rank - 1]), sb = static_cast<size_t>(p.bStrides[rank - 1]);
  size_t rows = 1;
  for (size_t d = 0; d + 1 < rank; ++d) rows *= static_cast<size_t>(p.dims[d]);
  size_t grainRows = std::max<size_t>(1, kGrain / std::max<size_t>(1, inner));
  ThreadPool::instance().parallelFor(rows, grainRows, [&](size_t begin, size_t end) {
    if (rank == 1) {
      binaryRow<op>(a, sa, b, sb, out, inner);
      return;
    }
    // Counters over the outer dims, started at row `begin`.
    std::vector<int64_t> index(rank - 1, 0);
    size_t rest = begin;
    int64_t aOff = 0, bOff = 0;
    for (size_t d = rank - 1; d-- > 0;) {
      index[d] = static_cast<int64_t>(rest % static_cast<size_t>(p.dims[d]));
      rest /= static_cast<size_t>(p.dims[d]);
      aOff += index[d] * p.aStrides[d];
      bOff += index[d] * p.bStrides[d];
    }
    for (size_t row = begin; row < end; ++row) {
      binaryRow<op>(a + aOff, sa, b + bOff, sb, out + row * inner, inner);
      for (size_t d = rank - 1; d-- > 0;) {
        aOff += p.aStrides[d];
        bOff += p.bStrides[d];
        if (++index[d] < p.dims[d]) break;
        aOff -= p.aStrides[d] * p.dims[d];
        bOff -= p.bStrides[d] * p.dims[d];
        index[d] = 0;
      }
    }
  });
}

void binary(BinaryOp op, const float* a, const std::vector<int64_t>& aShape, const float* b,
            const std::vector<int64_t>& bShape, float* out, const std::vector<int64_t>& outShape) {
  BroadcastPlan p = plan(aShape, bShape, outShape);
  switch (op) {
    case BinaryOp::Add: return binaryPlanned<BinaryOp::Add>(a, b, out, p);
    case BinaryOp::Sub: return binaryPlanned<BinaryOp::Sub>(a, b, out, p);
    case BinaryOp::Mul: return binaryPlanned<BinaryOp::Mul>(a, b, out, p);
    case BinaryOp::Div: return binaryPlanned<BinaryOp::Div>(a, b, out, p);
    case BinaryOp::Maximum: return binaryPlanned<BinaryOp::Maximum>(a, b, out, p);
    case BinaryOp::Minimum: return binaryPlanned<BinaryOp::Minimum>(a, b, out, p);
    case BinaryOp::Pow: return binaryPlanned<BinaryOp::Pow>(a, b, out, p);
    case BinaryOp::SquaredDifference: return binaryPlanned<BinaryOp::SquaredDifference>(a, b, out, p);
    case BinaryOp::Prelu: return binaryPlanned<BinaryOp::Prelu>(a, b, out, p);
    case BinaryOp::QuickGeluGrad: return binaryPlanned<BinaryOp::QuickGeluGrad>(a, b, out, p);
  }
}

template <UnaryOp op>
static inline float apply(float x, float alpha) {
  if constexpr (op == UnaryOp::Exp) return expApprox(x);
  if constexpr (op == UnaryOp::Log) return std::log(x);
  if constexpr (op == UnaryOp::Sqrt) return std::sqrt(x);
  if constexpr (op == UnaryOp::Rsqrt) return 1.0f / std::sqrt(x);
  if constexpr (op == UnaryOp::Square) return x * x;
  if constexpr (op == UnaryOp::Neg) return -x;
  if constexpr (op == UnaryOp::Abs) return std::fabs(x);
  if constexpr (op == UnaryOp::Sigmoid) return 1.0f / (1.0f + expApprox(-x));
  if constexpr (op == UnaryOp::Tanh) return std::tanh(x);
  if constexpr (op == UnaryOp::Erf) return std::erf(x);
  if constexpr (op == UnaryOp::Relu) return x < 0.0f ? 0.0f : x;
  if constexpr (op == UnaryOp::Relu6) return x != x ? x : (x < 0.0f ? 0.0f : (x > 6.0f ? 6.0f : x));
  if constexpr (op == UnaryOp::Elu) return x >= 0.0f ? x : expApprox(x) - 1.0f;
  if constexpr (op == UnaryOp::LeakyRelu) return x < 0.0f ? alpha * x : x;
  if constexpr (op == UnaryOp::Reciprocal) return 1.0f / x;
  // x·σ(1.702x) in one pass, as the composed mul(x, sigmoid(mul(x, 1.702))) computes it.
  if constexpr (op == UnaryOp::QuickGelu) return x * (1.0f / (1.0f + expApprox(-(x * 1.702f))));
  return 0.0f;
}

template <UnaryOp op>
static void unaryLoop(const float* x, float* out, size_t size, float alpha) {
  ThreadPool::instance().parallelFor(size, kGrain, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) out[i] = apply<op>(x[i], alpha);
  });
}

void unary(UnaryOp op, const float* x, float* out, size_t size, float alpha) {
  switch (op) {
    case UnaryOp::Exp: return unaryLoop<UnaryOp::Exp>(x, out, size, alpha);
    case UnaryOp::Log: return unaryLoop<UnaryOp::Log>(x, out, size, alpha);
    case UnaryOp::Sqrt: return unaryLoop<UnaryOp::Sqrt>(x, out, size, alpha);
    case UnaryOp::Rsqrt: return unaryLoop<UnaryOp::Rsqrt>(x, out, size, alpha);
    case UnaryOp::Square: return unaryLoop<UnaryOp::Square>(x, out, size, alpha);
    case UnaryOp::Neg: return unaryLoop<UnaryOp::Neg>(x, out, size, alpha);
    case UnaryOp::Abs: return unaryLoop<UnaryOp::Abs>(x, out, size, alpha);
    case UnaryOp::Sigmoid: return unaryLoop<UnaryOp::Sigmoid>(x, out, size, alpha);
    case UnaryOp::Tanh: return unaryLoop<UnaryOp::Tanh>(x, out, size, alpha);
    case UnaryOp::Erf: return unaryLoop<UnaryOp::Erf>(x, out, size, alpha);
    case UnaryOp::Relu: return unaryLoop<UnaryOp::Relu>(x, out, size, alpha);
    case UnaryOp::Relu6: return unaryLoop<UnaryOp::Relu6>(x, out, size, alpha);
    case UnaryOp::Elu: return unaryLoop<UnaryOp::Elu>(x, out, size, alpha);
    case UnaryOp::LeakyRelu: return unaryLoop<UnaryOp::LeakyRelu>(x, out, size, alpha);
    case UnaryOp::Reciprocal: return unaryLoop<UnaryOp::Reciprocal>(x, out, size, alpha);
    case UnaryOp::QuickGelu: return unaryLoop<UnaryOp::QuickGelu>(x, out, size, alpha);
  }
}

void addN(const std::vector<const float*>& inputs, float* out, size_t size) {
  ThreadPool::instance().parallelFor(size, kGrain, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) out[i] = inputs[0][i];
    for (size_t t = 1; t < inputs.size(); ++t) {
      const float* in = inputs[t];
      for (size_t i = begin; i < end; ++i) out[i] += in[i];
    }
  });
}

}  // namespace native
