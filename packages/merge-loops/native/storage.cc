#include "storage.h"

namespace merge_loops {

namespace {

uint32_t* build_f16_table() {
  static uint32_t table[65536];
  for (uint32_t h = 0; h < 65536; ++h) {
    const uint32_t sign = (h & 0x8000u) << 16;
    const uint32_t exp = (h >> 10) & 0x1fu;
    const uint32_t mant = h & 0x3ffu;
    if (exp == 0x1f) {
      table[h] = sign | 0x7f800000u | (mant << 13);
    } else if (exp == 0) {
      // zero or subnormal: mant · 2^-24, exact in float32
      table[h] = sign | bits_of(static_cast<float>(mant) * 5.9604644775390625e-8f);
    } else {
      table[h] = sign | ((exp + 112) << 23) | (mant << 13);
    }
  }
  return table;
}

}  // namespace

const uint32_t* const F16_TABLE = build_f16_table();

}  // namespace merge_loops
