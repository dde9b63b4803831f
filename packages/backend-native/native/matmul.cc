#include <cblas.h>

#include <algorithm>

#include "kernels.h"

extern "C" int openblas_get_num_threads(void);
extern "C" void openblas_set_num_threads(int);

namespace native {

// Below this many multiply-adds a product runs on one OpenBLAS thread: waking the others costs more
// than it saves on products this small (and far more when the cores are shared with other work).
// Batches of small products (attention heads) run one after another on the calling thread: calling
// OpenBLAS from several threads at once contends on its internal locks, and measured slower.
static constexpr size_t kThreadedProduct = size_t{1} << 24;

int blasThreads() {
  static const int available = openblas_get_num_threads();
  return available;
}

/** OpenBLAS's thread count for the next products; the global setting changes only when needed. */
static void useBlasThreads(bool all) {
  static int current = blasThreads();
  int wanted = all ? blasThreads() : 1;
  if (wanted != current) {
    openblas_set_num_threads(wanted);
    current = wanted;
  }
}

void batchMatMul(const float* a, const float* b, float* out, size_t batchA, size_t batchB, size_t m,
                 size_t n, size_t k, bool transposeA, bool transposeB) {
  size_t batch = std::max(batchA, batchB);
  if (batch == 0 || m == 0 || n == 0) return;
  if (k == 0) {
    std::fill(out, out + batch * m * n, 0.0f);
    return;
  }
  const int lda = static_cast<int>(transposeA ? m : k);
  const int ldb = static_cast<int>(transposeB ? k : n);
  auto product = [&](size_t bi) {
    cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), 1.0f, a + (bi % batchA) * m * k, lda,
                b + (bi % batchB) * k * n, ldb, 0.0f, out + bi * m * n, static_cast<int>(n));
  };
  useBlasThreads(m * n * k >= kThreadedProduct);
  for (size_t bi = 0; bi < batch; ++bi) product(bi);
}

}  // namespace native
