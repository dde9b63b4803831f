{
  "targets": [
    {
      "target_name": "backend_native",
      "sources": [
        "native/addon.cc",
        "native/elementwise.cc",
        "native/fused.cc",
        "native/matmul.cc",
        "native/reduce.cc",
        "native/thread_pool.cc",
        "native/transpose.cc"
      ],
      "include_dirs": [
        "/usr/include/x86_64-linux-gnu/openblas-pthread",
        "/usr/include/aarch64-linux-gnu/openblas-pthread",
        "/usr/include/openblas"
      ],
      "libraries": ["-lopenblas", "-lpthread", "-ldl"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-O2", "-O3"],
      "cflags_cc": ["-std=c++17", "-O3", "-march=native", "-fno-math-errno", "-fno-trapping-math", "-fexceptions"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
