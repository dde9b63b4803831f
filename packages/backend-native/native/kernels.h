// The native kernels, over raw float32 buffers. Shapes and broadcasting are resolved by the
// JavaScript side except where noted.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace native {

enum class BinaryOp { Add, Sub, Mul, Div, Maximum, Minimum, Pow, SquaredDifference, Prelu };
enum class UnaryOp {
  Exp, Log, Sqrt, Rsqrt, Square, Neg, Abs, Sigmoid, Tanh, Erf, Relu, Relu6, Elu, LeakyRelu, Reciprocal
};
enum class ReduceOp { Sum, Max, Min, Mean };

/** out[bi] = op(a[bi % batchA]) · op(b[bi % batchB]) for bi < max(batchA, batchB), as tfjs's cpu backend. */
/** The threads OpenBLAS uses for large products (all cores, or OPENBLAS_NUM_THREADS). */
int blasThreads();

void batchMatMul(const float* a, const float* b, float* out, size_t batchA, size_t batchB, size_t m,
                 size_t n, size_t k, bool transposeA, bool transposeB);

/** Elementwise a ∘ b with NumPy broadcasting of both shapes to outShape. */
void binary(BinaryOp op, const float* a, const std::vector<int64_t>& aShape, const float* b,
            const std::vector<int64_t>& bShape, float* out, const std::vector<int64_t>& outShape);

void unary(UnaryOp op, const float* x, float* out, size_t size, float alpha);

/** Reduces each of `outer` contiguous rows of `inner` values. */
void reduceRows(ReduceOp op, const float* x, float* out, size_t outer, size_t inner);
/** Reduces over the leading `outer` rows: out[j] = op over i of x[i * inner + j]. */
void reduceColumns(ReduceOp op, const float* x, float* out, size_t outer, size_t inner);

void transpose(const float* x, const std::vector<int64_t>& shape, const std::vector<int64_t>& perm, float* out);

/** Softmax over the last axis of [rows, cols]. */
void softmax(const float* x, float* out, size_t rows, size_t cols);

void addN(const std::vector<const float*>& inputs, float* out, size_t size);

}  // namespace native
