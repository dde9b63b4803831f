// Node-API entry points: each takes Float32Arrays (inputs and a preallocated output) and plain
// numbers or arrays of numbers, and works synchronously, as tfjs's cpu kernels do.
#include <malloc.h>
#include <node_api.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <unordered_map>
#include <vector>

#include "kernels.h"
#include "thread_pool.h"


namespace {

struct ArgError {
  std::string message;
};

void check(napi_env env, napi_status status, const char* what) {
  if (status != napi_ok) throw ArgError{what};
}

struct Args {
  napi_env env;
  std::vector<napi_value> values;
  explicit Args(napi_env e) : env(e) {}
  Args(napi_env e, napi_callback_info info, size_t count) : env(e), values(count) {
    size_t argc = count;
    check(env, napi_get_cb_info(env, info, &argc, values.data(), nullptr, nullptr), "bad arguments");
    if (argc < count) throw ArgError{"expected " + std::to_string(count) + " arguments"};
  }

  float* floats(size_t i, size_t* length = nullptr) {
    bool is;
    check(env, napi_is_typedarray(env, values[i], &is), "not a typed array");
    if (!is) throw ArgError{"argument " + std::to_string(i) + ": expected a Float32Array"};
    napi_typedarray_type type;
    size_t len;
    void* data;
    check(env, napi_get_typedarray_info(env, values[i], &type, &len, &data, nullptr, nullptr), "typed array");
    if (type != napi_float32_array) throw ArgError{"argument " + std::to_string(i) + ": expected a Float32Array"};
    if (length) *length = len;
    return static_cast<float*>(data);
  }

  double number(size_t i) {
    double v;
    check(env, napi_get_value_double(env, values[i], &v), "expected a number");
    return v;
  }

  size_t size(size_t i) { return static_cast<size_t>(number(i)); }

  bool boolean(size_t i) {
    bool v;
    check(env, napi_get_value_bool(env, values[i], &v), "expected a boolean");
    return v;
  }

  std::string string(size_t i) {
    char buffer[64];
    size_t len;
    check(env, napi_get_value_string_utf8(env, values[i], buffer, sizeof buffer, &len), "expected a string");
    return std::string(buffer, len);
  }

  std::vector<napi_value> array(size_t i) {
    uint32_t len;
    check(env, napi_get_array_length(env, values[i], &len), "expected an array");
    std::vector<napi_value> items(len);
    for (uint32_t j = 0; j < len; ++j) check(env, napi_get_element(env, values[i], j, &items[j]), "array element");
    return items;
  }

  std::vector<int64_t> shape(size_t i) {
    std::vector<int64_t> out;
    for (napi_value item : array(i)) {
      int64_t v;
      check(env, napi_get_value_int64(env, item, &v), "expected an integer");
      out.push_back(v);
    }
    return out;
  }
};

template <typename Fn>
napi_value guarded(napi_env env, Fn fn) {
  try {
    return fn();
  } catch (const ArgError& e) {
    napi_throw_type_error(env, nullptr, e.message.c_str());
    return nullptr;
  }
}

napi_value undefinedValue(napi_env env) {
  napi_value v;
  napi_get_undefined(env, &v);
  return v;
}

// batchMatMul(a, b, out, batchA, batchB, m, n, k, transposeA, transposeB, bias | null)
napi_value BatchMatMul(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 11);
    napi_valuetype biasType;
    check(env, napi_typeof(env, args.values[10], &biasType), "bias");
    const float* bias = biasType == napi_null || biasType == napi_undefined ? nullptr : args.floats(10);
    native::batchMatMul(args.floats(0), args.floats(1), args.floats(2), args.size(3), args.size(4), args.size(5),
                        args.size(6), args.size(7), args.boolean(8), args.boolean(9), bias);
    return undefinedValue(env);
  });
}

// binary(op, a, aShape, b, bShape, out, outShape)
napi_value Binary(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 7);
    native::binary(static_cast<native::BinaryOp>(args.size(0)), args.floats(1), args.shape(2), args.floats(3),
                   args.shape(4), args.floats(5), args.shape(6));
    return undefinedValue(env);
  });
}

// unary(op, x, out, alpha)
napi_value Unary(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 4);
    size_t size;
    const float* x = args.floats(1, &size);
    native::unary(static_cast<native::UnaryOp>(args.size(0)), x, args.floats(2), size,
                  static_cast<float>(args.number(3)));
    return undefinedValue(env);
  });
}

// reduce(op, x, out, outer, inner, leading): leading reduces the outer rows, otherwise each row.
napi_value Reduce(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 6);
    auto op = static_cast<native::ReduceOp>(args.size(0));
    if (args.boolean(5))
      native::reduceColumns(op, args.floats(1), args.floats(2), args.size(3), args.size(4));
    else
      native::reduceRows(op, args.floats(1), args.floats(2), args.size(3), args.size(4));
    return undefinedValue(env);
  });
}

// transpose(x, shape, perm, out)
napi_value Transpose(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 4);
    native::transpose(args.floats(0), args.shape(1), args.shape(2), args.floats(3));
    return undefinedValue(env);
  });
}

// softmax(x, out, rows, cols)
napi_value Softmax(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 4);
    native::softmax(args.floats(0), args.floats(1), args.size(2), args.size(3));
    return undefinedValue(env);
  });
}

// layerNorm(x, gamma, beta, out, mean, rstd, rows, cols, eps)
napi_value LayerNorm(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 9);
    native::layerNorm(args.floats(0), args.floats(1), args.floats(2), args.floats(3), args.floats(4), args.floats(5),
                      args.size(6), args.size(7), static_cast<float>(args.number(8)));
    return undefinedValue(env);
  });
}

// layerNormGrad(x, gamma, dy, mean, rstd, dx, dgamma, dbeta, rows, cols)
napi_value LayerNormGrad(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 10);
    native::layerNormGrad(args.floats(0), args.floats(1), args.floats(2), args.floats(3), args.floats(4),
                          args.floats(5), args.floats(6), args.floats(7), args.size(8), args.size(9));
    return undefinedValue(env);
  });
}

// addN(inputs[], out)
napi_value AddN(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 2);
    std::vector<const float*> inputs;
    for (napi_value item : args.array(0)) {
      Args one(env);
      one.values.push_back(item);
      inputs.push_back(one.floats(0));
    }
    size_t size;
    float* out = args.floats(1, &size);
    if (!inputs.empty()) native::addN(inputs, out, size);
    return undefinedValue(env);
  });
}

// An output's memory: malloc'd, returned by release() as soon as its tensor is disposed, or else
// by the array buffer's finalizer. Finalizers run only once the event loop turns, which a training
// step's synchronous forward and backward pass never lets happen: without release(), outputs freed
// within one pass would pile up (gigabytes on a ViT-B/32) until it ends.
struct Block {
  size_t bytes;
  bool released;
};
std::unordered_map<void*, Block*> blocks;  // by data pointer; the main thread only

void finalizeBlock(napi_env env, void* data, void* hint) {
  auto* block = static_cast<Block*>(hint);
  if (!block->released) {
    std::free(data);
    blocks.erase(data);
    int64_t ignored;
    napi_adjust_external_memory(env, -static_cast<int64_t>(block->bytes), &ignored);
  }
  delete block;
}

// alloc(length): a Float32Array for a kernel's output (contents undefined: kernels write every
// element). Its memory comes from malloc, so that outputs reuse memory the process already touched
// instead of faulting in fresh pages for every tensor, which is slow (very slow in some sandboxed
// kernels). V8 is told of it, so that its size counts towards the next garbage collection.
napi_value Alloc(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 1);
    size_t length = args.size(0);
    size_t bytes = std::max<size_t>(length, 1) * sizeof(float);
    void* data = std::malloc(bytes);
    if (data == nullptr) throw ArgError{"out of memory allocating " + std::to_string(bytes) + " bytes"};
    auto* block = new Block{bytes, false};
    napi_value buffer, array;
    check(env, napi_create_external_arraybuffer(env, data, bytes, finalizeBlock, block, &buffer), "array buffer");
    blocks[data] = block;
    int64_t ignored;
    napi_adjust_external_memory(env, static_cast<int64_t>(bytes), &ignored);
    check(env, napi_create_typedarray(env, napi_float32_array, length, buffer, 0, &array), "typed array");
    return array;
  });
}

// release(array): frees now the memory of an array alloc() made, detaching its buffer (the array
// reads as empty from then on). For outputs nobody can see any more; anything else is left alone.
napi_value Release(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 1);
    napi_value buffer;
    void* data;
    check(env, napi_get_typedarray_info(env, args.values[0], nullptr, nullptr, &data, &buffer, nullptr),
          "typed array");
    auto found = blocks.find(data);
    if (found != blocks.end()) {
      Block* block = found->second;
      blocks.erase(found);
      check(env, napi_detach_arraybuffer(env, buffer), "detach");
      block->released = true;
      std::free(data);
      int64_t ignored;
      napi_adjust_external_memory(env, -static_cast<int64_t>(block->bytes), &ignored);
    }
    return undefinedValue(env);
  });
}

// useOneDnn('auto' | 'openblas' | 'onednn'): whether oneDNN multiplies from now on (false where it is
// not installed, or where 'auto' leaves it off)
napi_value UseOneDnn(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args args(env, info, 1);
    napi_value result;
    napi_get_boolean(env, native::useOneDnn(args.string(0)), &result);
    return result;
  });
}

// threads(): { blas, pool, products }
napi_value Threads(napi_env env, napi_callback_info) {
  napi_value result, blas, pool, products;
  std::string libraries = native::productLibraries();
  napi_create_string_utf8(env, libraries.c_str(), libraries.size(), &products);
  napi_create_object(env, &result);
  napi_create_int32(env, native::blasThreads(), &blas);
  napi_create_int32(env, static_cast<int32_t>(native::ThreadPool::instance().threads()), &pool);
  napi_set_named_property(env, result, "blas", blas);
  napi_set_named_property(env, result, "pool", pool);
  napi_set_named_property(env, result, "products", products);
  return result;
}

napi_value Init(napi_env env, napi_value exports) {
  // Freed outputs (up to glibc's 32 MiB cap) stay in the heap for the next ones rather than going
  // back to the system, and come from the heap rather than fresh mappings.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  napi_property_descriptor props[] = {
      {"batchMatMul", nullptr, BatchMatMul, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"binary", nullptr, Binary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"unary", nullptr, Unary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reduce", nullptr, Reduce, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"transpose", nullptr, Transpose, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"softmax", nullptr, Softmax, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"layerNorm", nullptr, LayerNorm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"layerNormGrad", nullptr, LayerNormGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"addN", nullptr, AddN, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"alloc", nullptr, Alloc, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"release", nullptr, Release, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"useOneDnn", nullptr, UseOneDnn, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"threads", nullptr, Threads, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
