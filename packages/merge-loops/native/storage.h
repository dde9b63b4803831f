// Stored float formats ↔ float32, entry by entry, with the bit-level rules of core's
// safetensors-format.ts: BF16 is the top half of a float32; F16 widens exactly (NaN payloads
// kept, not quieted); narrowing rounds to nearest even; a NaN narrows to a quiet NaN with its sign
// and top payload bits.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace merge_loops {

enum Dtype : int { F32 = 0, F16 = 1, BF16 = 2 };

inline size_t bytes_of(int dtype) { return dtype == F32 ? 4 : 2; }

inline uint32_t bits_of(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

inline float float_of(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

/** float32 bit patterns of the 65536 half-precision values (filled when the addon loads). */
extern const uint32_t* const F16_TABLE;

template <int D>
inline float load(const void* data, size_t i) {
  if constexpr (D == F32) {
    return static_cast<const float*>(data)[i];
  } else if constexpr (D == BF16) {
    return float_of(static_cast<uint32_t>(static_cast<const uint16_t*>(data)[i]) << 16);
  } else {
    return float_of(F16_TABLE[static_cast<const uint16_t*>(data)[i]]);
  }
}

inline uint16_t f32_to_bf16(uint32_t f) {
  return (f & 0x7fffffffu) > 0x7f800000u ? static_cast<uint16_t>((f >> 16) | 0x0040u)
                                          : static_cast<uint16_t>((f + 0x7fffu + ((f >> 16) & 1u)) >> 16);
}

inline uint16_t f32_to_f16(uint32_t f) {
  const uint32_t sign = (f >> 16) & 0x8000u;
  const uint32_t f_exp = f & 0x7f800000u;
  uint32_t sig = f & 0x007fffffu;
  if (f_exp >= 0x47800000u) {
    return static_cast<uint16_t>(f_exp == 0x7f800000u && sig != 0 ? sign | 0x7e00u | (sig >> 13) : sign | 0x7c00u);
  }
  if (f_exp <= 0x38000000u) {
    if (f_exp < 0x33000000u) return static_cast<uint16_t>(sign);
    const uint32_t e = f_exp >> 23;
    sig = (sig | 0x00800000u) >> (113 - e);
    if ((sig & 0x3fffu) != 0x1000u || (f & 0x7ffu) != 0) sig += 0x1000u;
    return static_cast<uint16_t>(sign | (sig >> 13));
  }
  const uint32_t h_exp = (f_exp - 0x38000000u) >> 13;
  if ((sig & 0x3fffu) != 0x1000u) sig += 0x1000u;
  return static_cast<uint16_t>(sign | (h_exp + (sig >> 13)));
}

/** Stores v at entry i; returns 1 when v is NaN or infinite (the merge refuses such results). */
template <int D>
inline uint32_t store(void* data, size_t i, float v) {
  const uint32_t f = bits_of(v);
  if constexpr (D == F32) {
    static_cast<float*>(data)[i] = v;
  } else if constexpr (D == BF16) {
    static_cast<uint16_t*>(data)[i] = f32_to_bf16(f);
  } else {
    static_cast<uint16_t*>(data)[i] = f32_to_f16(f);
  }
  return (f & 0x7fffffffu) >= 0x7f800000u ? 1u : 0u;
}

/** Calls fn.template operator()<D>() for the runtime dtype. */
template <typename Fn>
inline auto with_dtype(int dtype, Fn&& fn) {
  switch (dtype) {
    case F32:
      return fn.template operator()<F32>();
    case F16:
      return fn.template operator()<F16>();
    default:
      return fn.template operator()<BF16>();
  }
}

}  // namespace merge_loops
