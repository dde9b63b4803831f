// exp written so that the compiler vectorises loops over it (the C library's expf is a call per
// element). Cephes' single-precision polynomial: a few ulp, with NaN, ±Inf and underflow handled
// by selects rather than branches.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace native {

inline float expApprox(float x) {
  const float hi = 88.7228394f;
  const float lo = -87.3365479f;
  float clamped = x > hi ? hi : (x < lo ? lo : x);
  float fx = std::floor(clamped * 1.44269504088896341f + 0.5f);
  float r = clamped - fx * 0.693359375f + fx * 2.12194440e-4f;
  float y = 1.9875691500e-4f;
  y = y * r + 1.3981999507e-3f;
  y = y * r + 8.3334519073e-3f;
  y = y * r + 4.1665795894e-2f;
  y = y * r + 1.6666665459e-1f;
  y = y * r + 5.0000001201e-1f;
  y = y * r * r + r + 1.0f;
  // 2^(n-1) then ×2, so that n = 128 (x near the top of the range) stays finite.
  int32_t bits = (static_cast<int32_t>(fx) + 126) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  float result = y * scale * 2.0f;
  result = x > hi ? std::numeric_limits<float>::infinity() : result;
  result = x < lo ? 0.0f : result;
  return x != x ? x : result;
}

}  // namespace native
