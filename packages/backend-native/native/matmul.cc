#include <cblas.h>
#include <dlfcn.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "kernels.h"

extern "C" int openblas_get_num_threads(void);
extern "C" void openblas_set_num_threads(int);

namespace native {

// Below this many multiply-adds a product runs on one thread: waking the others costs more than it
// saves on products this small (and far more when the cores are shared with other work).
// Batches of small products (attention heads) run one after another on the calling thread: calling
// OpenBLAS from several threads at once contends on its internal locks, and measured slower.
static constexpr size_t kThreadedProduct = size_t{1} << 24;
// From this many multiply-adds a single product goes to oneDNN where it is present and the CPU has
// AVX-512: its JIT kernels measured 5-33% above OpenBLAS 0.3.21 on ViT-B/32's projection and MLP
// shapes there (one and two threads). Limited to AVX2 (DNNL_MAX_CPU_ISA=AVX2, OpenBLAS's Haswell
// kernel), oneDNN measured 2-12% below OpenBLAS on the same shapes, so without AVX-512 every product
// stays on OpenBLAS unless MERGEBENCH_NATIVE_GEMM=onednn asks otherwise. The attention's small
// per-head products stay on OpenBLAS, faster there on both.
static constexpr size_t kOneDnnProduct = size_t{1} << 20;

/** Whether oneDNN's kernels will use AVX-512 here: the CPU has it and DNNL_MAX_CPU_ISA does not cap it. */
static bool oneDnnHasAvx512() {
  if (!__builtin_cpu_supports("avx512f")) return false;
  const char* cap = std::getenv("DNNL_MAX_CPU_ISA");
  if (cap == nullptr || *cap == '\0') return true;
  std::string isa(cap);
  for (char& c : isa) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return isa == "ALL" || isa.rfind("AVX512", 0) == 0 || isa.rfind("AVX10", 0) == 0 || isa.rfind("AMX", 0) == 0;
}

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

// oneDNN (Debian's libdnnl2, which PyTorch links) is opened at run time rather than linked, so that
// the addon builds and loads without it. MERGEBENCH_NATIVE_GEMM=openblas turns it off; =onednn gives
// it every product, small ones included.
// dnnl_sgemm is row-major: C = alpha·op(A)·op(B) + beta·C.
using DnnlSgemm = int (*)(char, char, int64_t, int64_t, int64_t, float, const float*, int64_t, const float*,
                          int64_t, float, float*, int64_t);
using DnnlVersion = const struct DnnlVersionInfo* (*)();
struct DnnlVersionInfo {
  int major, minor, patch;
  const char* hash;
  unsigned cpuRuntime, gpuRuntime;
};

struct OneDnn {
  DnnlSgemm sgemm = nullptr;
  void (*setThreads)(int) = nullptr;  // OpenMP's omp_set_num_threads: oneDNN's threads
  std::string name;                   // "oneDNN 2.6.3", or why it is not used
  int current = -1;
  bool byDefault = true;      // whether 'auto' uses it: only where its kernels use AVX-512
  bool enabled = true;        // off: every product on OpenBLAS (tests compare the two paths)
  bool everyProduct = false;  // MERGEBENCH_NATIVE_GEMM=onednn: small products too (tfjs-core's specs)
};

static OneDnn load() {
  OneDnn d;
  const char* choice = std::getenv("MERGEBENCH_NATIVE_GEMM");
  if (choice != nullptr && std::strcmp(choice, "openblas") == 0) {
    d.name = "oneDNN off (MERGEBENCH_NATIVE_GEMM=openblas)";
    return d;
  }
  d.everyProduct = choice != nullptr && std::strcmp(choice, "onednn") == 0;
  // Idle OpenMP threads sleep rather than spin: spinning threads would take the cores from the
  // elementwise kernels and OpenBLAS that run between products. Set before OpenMP starts.
  setenv("OMP_WAIT_POLICY", "PASSIVE", 0);
  void* lib = nullptr;
  for (const char* file : {"libdnnl.so.3", "libdnnl.so.2", "libdnnl.so"}) {
    lib = dlopen(file, RTLD_NOW | RTLD_LOCAL);
    if (lib != nullptr) break;
  }
  if (lib == nullptr) {
    d.name = "oneDNN not found (apt-get install libdnnl2)";
    return d;
  }
  auto sgemm = reinterpret_cast<DnnlSgemm>(dlsym(lib, "dnnl_sgemm"));
  void* omp = dlopen("libgomp.so.1", RTLD_NOW | RTLD_NOLOAD);
  auto setThreads = omp ? reinterpret_cast<void (*)(int)>(dlsym(omp, "omp_set_num_threads")) : nullptr;
  if (sgemm == nullptr || setThreads == nullptr) {
    d.name = "oneDNN without dnnl_sgemm or OpenMP";
    return d;
  }
  d.sgemm = sgemm;
  d.setThreads = setThreads;
  auto version = reinterpret_cast<DnnlVersion>(dlsym(lib, "dnnl_version"));
  const DnnlVersionInfo* v = version ? version() : nullptr;
  d.name = v ? "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch)
             : "oneDNN";
  d.byDefault = oneDnnHasAvx512();
  d.enabled = d.byDefault || d.everyProduct;
  return d;
}

static OneDnn& oneDnn() {
  static OneDnn d = load();
  return d;
}

bool useOneDnn(const std::string& choice) {
  OneDnn& d = oneDnn();
  d.everyProduct = choice == "onednn";
  d.enabled = choice == "onednn" || (choice == "auto" && d.byDefault);
  return d.sgemm != nullptr && d.enabled;
}

std::string productLibraries() {
  const OneDnn& d = oneDnn();
  if (d.sgemm == nullptr) return "OpenBLAS; " + d.name;
  if (!d.enabled)
    return d.byDefault ? "OpenBLAS; " + d.name + " off"
                       : "OpenBLAS; " + d.name + " not used: its kernels would not use AVX-512 here, and OpenBLAS "
                                                 "measured faster without it (MERGEBENCH_NATIVE_GEMM=onednn to use it)";
  return d.everyProduct ? d.name + " (every product), OpenBLAS"
                        : d.name + " (products from 2^20 multiply-adds), OpenBLAS (smaller ones)";
}

void batchMatMul(const float* a, const float* b, float* out, size_t batchA, size_t batchB, size_t m,
                 size_t n, size_t k, bool transposeA, bool transposeB, const float* bias) {
  size_t batch = std::max(batchA, batchB);
  if (batch == 0 || m == 0 || n == 0) return;
  // A bias of n values is laid in every row first, then added to by the product (beta = 1): one
  // pass fewer over the output than adding it afterwards.
  float beta = 0.0f;
  if (bias != nullptr) {
    for (size_t row = 0; row < batch * m; ++row) std::memcpy(out + row * n, bias, n * sizeof(float));
    beta = 1.0f;
  }
  if (k == 0) {
    if (bias == nullptr) std::fill(out, out + batch * m * n, 0.0f);
    return;
  }
  const size_t lda = transposeA ? m : k;
  const size_t ldb = transposeB ? k : n;
  const bool all = m * n * k >= kThreadedProduct;
  OneDnn& dnnl = oneDnn();
  if (dnnl.sgemm != nullptr && dnnl.enabled && (m * n * k >= kOneDnnProduct || dnnl.everyProduct)) {
    int wanted = all ? blasThreads() : 1;
    if (wanted != dnnl.current) {
      dnnl.setThreads(wanted);
      dnnl.current = wanted;
    }
    for (size_t bi = 0; bi < batch; ++bi)
      dnnl.sgemm(transposeA ? 'T' : 'N', transposeB ? 'T' : 'N', static_cast<int64_t>(m), static_cast<int64_t>(n),
                 static_cast<int64_t>(k), 1.0f, a + (bi % batchA) * m * k, static_cast<int64_t>(lda),
                 b + (bi % batchB) * k * n, static_cast<int64_t>(ldb), beta, out + bi * m * n,
                 static_cast<int64_t>(n));
    return;
  }
  useBlasThreads(all);
  for (size_t bi = 0; bi < batch; ++bi)
    cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), 1.0f, a + (bi % batchA) * m * k,
                static_cast<int>(lda), b + (bi % batchB) * k * n, static_cast<int>(ldb), beta, out + bi * m * n,
                static_cast<int>(n));
}

}  // namespace native
