{
  "targets": [
    {
      "target_name": "merge_loops",
      "sources": [
        "native/addon.cc",
        "native/generalized.cc",
        "native/magnitude.cc",
        "native/parallel.cc",
        "native/plain.cc",
        "native/storage.cc"
      ],
      "libraries": ["-lpthread"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-O2", "-O3", "-std=gnu++17"],
      "cflags_cc": ["-std=c++20", "-O3", "-march=native", "-ffp-contract=off", "-fno-fast-math", "-fexceptions"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
