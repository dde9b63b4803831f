// The native kernels, over raw float32 buffers. Shapes and broadcasting are resolved by the
// JavaScript side except where noted.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace native {

enum class BinaryOp { Add, Sub, Mul, Div, Maximum, Minimum, Pow, SquaredDifference, Prelu, QuickGeluGrad };
enum class UnaryOp {
  Exp, Log, Sqrt, Rsqrt, Square, Neg, Abs, Sigmoid, Tanh, Erf, Relu, Relu6, Elu, LeakyRelu, Reciprocal, QuickGelu
};
enum class ReduceOp { Sum, Max, Min, Mean };

/** out[bi] = op(a[bi % batchA]) · op(b[bi % batchB]) for bi < max(batchA, batchB), as tfjs's cpu backend. */
/** The threads OpenBLAS uses for large products (all cores, or OPENBLAS_NUM_THREADS). */
int blasThreads();

/** With a bias of n values (or null): out = bias + op(a)·op(b), the bias added to every row. */
void batchMatMul(const float* a, const float* b, float* out, size_t batchA, size_t batchB, size_t m,
                 size_t n, size_t k, bool transposeA, bool transposeB, const float* bias);

/** Which libraries multiply: oneDNN where it loaded (and for which products), OpenBLAS. */
std::string productLibraries();
/**
 * Which library multiplies: "auto" (oneDNN from 2^20 multiply-adds where its kernels use AVX-512,
 * otherwise OpenBLAS), "openblas" (every product) or "onednn" (every product); true when oneDNN now multiplies.
 */
bool useOneDnn(const std::string& choice);

/** Layer norm over the last axis of [rows, cols]: out = (x − μ)·rstd·γ + β, μ and rstd per row kept. */
void layerNorm(const float* x, const float* gamma, const float* beta, float* out, float* mean, float* rstd,
               size_t rows, size_t cols, float eps);
/** Layer norm's gradients from the forward's μ and rstd: dx [rows, cols], dγ and dβ [cols]. */
void layerNormGrad(const float* x, const float* gamma, const float* dy, const float* mean, const float* rstd,
                   float* dx, float* dgamma, float* dbeta, size_t rows, size_t cols);

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
