// Node-API entry points. Arguments are checked here (types, lengths), so that a wrong call is
// one JavaScript error, never a read out of bounds; the loops themselves are in plain.cc,
// magnitude.cc and generalized.cc.
#include <node_api.h>

#include <string>
#include <vector>

#include "loops.h"
#include "parallel.h"
#include "storage.h"

using namespace merge_loops;

namespace {

struct ArgError {
  std::string message;
};

void ok(napi_status status, const char* what) {
  if (status != napi_ok) throw ArgError{what};
}

struct Args {
  napi_env env;
  std::vector<napi_value> v;
  Args(napi_env e, napi_callback_info info, size_t count) : env(e), v(count) {
    size_t argc = count;
    ok(napi_get_cb_info(env, info, &argc, v.data(), nullptr, nullptr), "bad arguments");
    if (argc < count) throw ArgError{"expected " + std::to_string(count) + " arguments"};
  }

  double number(size_t i) {
    double d;
    if (napi_get_value_double(env, v[i], &d) != napi_ok) throw ArgError{"argument " + std::to_string(i) + ": expected a number"};
    return d;
  }

  bool boolean(size_t i) {
    bool b;
    if (napi_get_value_bool(env, v[i], &b) != napi_ok) throw ArgError{"argument " + std::to_string(i) + ": expected a boolean"};
    return b;
  }

  bool null(size_t i) {
    napi_valuetype type;
    ok(napi_typeof(env, v[i], &type), "typeof");
    return type == napi_null || type == napi_undefined;
  }

  /** A typed array's data and byte length; `type` checks its element type unless -1. */
  void* bytes(napi_value value, const std::string& what, size_t* byte_length, int type = -1) {
    bool is = false;
    ok(napi_is_typedarray(env, value, &is), "typed array");
    if (!is) throw ArgError{what + ": expected a typed array"};
    napi_typedarray_type t;
    size_t length;
    void* data;
    ok(napi_get_typedarray_info(env, value, &t, &length, &data, nullptr, nullptr), "typed array");
    if (type >= 0 && t != static_cast<napi_typedarray_type>(type)) throw ArgError{what + ": wrong typed array type"};
    size_t element = 1;
    switch (t) {
      case napi_int16_array:
      case napi_uint16_array:
        element = 2;
        break;
      case napi_int32_array:
      case napi_uint32_array:
      case napi_float32_array:
        element = 4;
        break;
      case napi_float64_array:
      case napi_bigint64_array:
      case napi_biguint64_array:
        element = 8;
        break;
      default:
        element = 1;
    }
    *byte_length = length * element;
    return data;
  }

  /** Stored entries [0, n) of `dtype`: a typed array at least that long, aligned for F32. */
  const void* stored(napi_value value, const std::string& what, int dtype, size_t n) {
    size_t length;
    void* data = bytes(value, what, &length);
    if (length < n * bytes_of(dtype))
      throw ArgError{what + ": " + std::to_string(length) + " bytes for " + std::to_string(n) + " entries"};
    if (dtype == F32 && reinterpret_cast<uintptr_t>(data) % 4 != 0) throw ArgError{what + ": F32 entries not 4-byte aligned"};
    return data;
  }

  std::vector<napi_value> array(size_t i) {
    bool is = false;
    ok(napi_is_array(env, v[i], &is), "array");
    if (!is) throw ArgError{"argument " + std::to_string(i) + ": expected an array"};
    uint32_t len;
    ok(napi_get_array_length(env, v[i], &len), "array length");
    std::vector<napi_value> items(len);
    for (uint32_t j = 0; j < len; ++j) ok(napi_get_element(env, v[i], j, &items[j]), "array element");
    return items;
  }

  int dtype(size_t i) {
    const double d = number(i);
    if (d != F32 && d != F16 && d != BF16) throw ArgError{"argument " + std::to_string(i) + ": unknown dtype code"};
    return static_cast<int>(d);
  }

  size_t count(size_t i) {
    const double d = number(i);
    if (!(d >= 0) || d != static_cast<double>(static_cast<size_t>(d))) throw ArgError{"argument " + std::to_string(i) + ": expected a count"};
    return static_cast<size_t>(d);
  }

  Stored inputs(int dtype, size_t base_arg, size_t models_arg, size_t n) {
    Stored in{dtype, nullptr, {}};
    if (!null(base_arg)) in.base = stored(v[base_arg], "base", dtype, n);
    const std::vector<napi_value> models = array(models_arg);
    if (models.size() > MAX_MODELS) throw ArgError{"at most " + std::to_string(MAX_MODELS) + " models"};
    for (size_t t = 0; t < models.size(); ++t) in.models.push_back(stored(models[t], "model " + std::to_string(t + 1), dtype, n));
    return in;
  }

  template <typename T>
  T* typed(size_t i, int type, size_t at_least, const char* what) {
    size_t length;
    void* data = bytes(v[i], what, &length, type);
    if (length < at_least * sizeof(T)) throw ArgError{std::string(what) + ": too short"};
    return static_cast<T*>(data);
  }
};

napi_value number_value(napi_env env, double d) {
  napi_value out;
  napi_create_double(env, d, &out);
  return out;
}

template <typename Fn>
napi_value guarded(napi_env env, Fn&& fn) {
  try {
    return fn();
  } catch (const ArgError& e) {
    napi_throw_type_error(env, nullptr, ("merge-loops: " + e.message).c_str());
    return nullptr;
  }
}

// plain(dtype, base, models, weights, divisor, scale, lambda, n, outDtype, out) → non-finite count
napi_value Plain(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 10);
    const int dtype = a.dtype(0);
    const size_t n = a.count(7);
    const Stored in = a.inputs(dtype, 1, 2, n);
    if (!in.base) throw ArgError{"task arithmetic needs a base model"};
    const float* w = a.typed<float>(3, napi_float32_array, in.models.size(), "weights");
    const int out_dtype = a.dtype(8);
    void* out = const_cast<void*>(a.stored(a.v[9], "out", out_dtype, n));
    return number_value(env, plain_merge(in, w, static_cast<float>(a.number(4)), a.boolean(5),
                                         static_cast<float>(a.number(6)), n, out_dtype, out));
  });
}

// linear(dtype, models, weights, normalize, total, n, outDtype, out) → non-finite count
napi_value Linear(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 8);
    const int dtype = a.dtype(0);
    const size_t n = a.count(5);
    napi_value none;
    napi_get_null(env, &none);
    a.v.push_back(none);
    const Stored in = a.inputs(dtype, 8, 1, n);
    const float* w = a.typed<float>(2, napi_float32_array, in.models.size(), "weights");
    const int out_dtype = a.dtype(6);
    void* out = const_cast<void*>(a.stored(a.v[7], "out", out_dtype, n));
    return number_value(env, linear_merge(in, w, a.boolean(3), static_cast<float>(a.number(4)), n, out_dtype, out));
  });
}

// magnitudeScan(pass, dtype, base, models, counts (Uint32Array | null per model), bins (Int32Array),
//               n, firstNaN (Float64Array, one per model))
napi_value MagnitudeScan(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 8);
    const double pass = a.number(0);
    if (pass != 0 && pass != 1) throw ArgError{"pass must be 0 or 1"};
    const int dtype = a.dtype(1);
    const size_t n = a.count(6);
    const Stored in = a.inputs(dtype, 2, 3, n);
    if (!in.base) throw ArgError{"the magnitude selection needs a base model"};
    const size_t T = in.models.size();
    const std::vector<napi_value> count_arrays = a.array(4);
    if (count_arrays.size() != T) throw ArgError{"one histogram (or null) per model"};
    std::vector<uint32_t*> counts(T, nullptr);
    const size_t bins_needed = pass == 0 ? (1u << 15) : (1u << 16);
    for (size_t t = 0; t < T; ++t) {
      napi_valuetype type;
      ok(napi_typeof(env, count_arrays[t], &type), "typeof");
      if (type == napi_null || type == napi_undefined) continue;
      size_t length;
      void* data = a.bytes(count_arrays[t], "histogram", &length, napi_uint32_array);
      if (length < bins_needed * 4) throw ArgError{"histogram too short"};
      counts[t] = static_cast<uint32_t*>(data);
    }
    const int32_t* bins = a.typed<int32_t>(5, napi_int32_array, T, "bins");
    if (pass == 1) {
      for (size_t t = 0; t < T; ++t)
        if (counts[t] && (bins[t] < 0 || bins[t] >= (1 << 15))) throw ArgError{"bin out of range"};
    }
    double* first_nan = a.typed<double>(7, napi_float64_array, T, "firstNaN");
    std::vector<int64_t> nan_at(T, -1);
    magnitude_scan(static_cast<int>(pass), in, counts, bins, n, nan_at.data());
    for (size_t t = 0; t < T; ++t) first_nan[t] = static_cast<double>(nan_at[t]);
    napi_value undefined;
    napi_get_undefined(env, &undefined);
    return undefined;
  });
}

// generalized(dtype, base, models, rules (Float64Array, 7 per model: sparsify, weight, threshold,
//             ties (updated), stream, cut, dareDivisor), consensus, normalize, plainDivisor,
//             scale, lambda, firstIndex, n, outDtype, out) → non-finite count
napi_value Generalized(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info, 13);
    const int dtype = a.dtype(0);
    const size_t n = a.count(10);
    const Stored in = a.inputs(dtype, 1, 2, n);
    if (!in.base) throw ArgError{"this merge needs a base model"};
    const size_t T = in.models.size();
    double* packed = a.typed<double>(3, napi_float64_array, T * 7, "rules");
    std::vector<ModelRule> rules(T);
    for (size_t t = 0; t < T; ++t) {
      const double* p = packed + t * 7;
      if (p[0] != KEEP_ALL && p[0] != MAGNITUDE && p[0] != RANDOM) throw ArgError{"unknown sparsification code"};
      rules[t] = ModelRule{static_cast<int>(p[0]), static_cast<float>(p[1]), static_cast<float>(p[2]), p[3],
                           static_cast<uint32_t>(p[4]), p[5], static_cast<float>(p[6])};
    }
    const int out_dtype = a.dtype(11);
    void* out = const_cast<void*>(a.stored(a.v[12], "out", out_dtype, n));
    const uint32_t bad = generalized_merge(in, rules, a.boolean(4), a.boolean(5), static_cast<float>(a.number(6)),
                                           a.boolean(7), static_cast<float>(a.number(8)), a.number(9), n, out_dtype, out);
    for (size_t t = 0; t < T; ++t) packed[t * 7 + 3] = rules[t].ties;
    return number_value(env, bad);
  });
}

// threads() → threads in use; threads(n) sets them
napi_value Threads(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    size_t argc = 1;
    napi_value arg;
    ok(napi_get_cb_info(env, info, &argc, &arg, nullptr, nullptr), "bad arguments");
    if (argc >= 1) {
      double d;
      if (napi_get_value_double(env, arg, &d) == napi_ok && d >= 1) set_thread_count(static_cast<int>(d));
    }
    return number_value(env, thread_count());
  });
}

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"plain", nullptr, Plain, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"linear", nullptr, Linear, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"magnitudeScan", nullptr, MagnitudeScan, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"generalized", nullptr, Generalized, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"threads", nullptr, Threads, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
