// Shared pieces of the kiln._kiln extension (docs/python.md).
//
// Ownership: every Python object that refers to device memory (Matrix,
// KvCache, RopeTable, LlamaModel) holds a DevicePtr, so the kiln::Device is
// closed only after the last of them is gone: a kiln::Buffer must not outlive
// its Device, and Python frees objects in no particular order.
//
// Calls keep the GIL: a device is single-threaded, and holding the GIL makes
// every Python thread take its turn instead of racing inside the driver.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>  // in every file: casters must agree across translation units

#include <cstdint>
#include <memory>
#include <string>

#include "kiln/kiln.hpp"
#include "kiln/sdk/kernels.h"
#include "kiln/sdk/matrix.h"

namespace kiln::pyb {

namespace py = pybind11;

[[noreturn]] void invalid(const std::string& msg);  // throws kiln::Error(INVALID_ARGUMENT)

// kiln_open_options with owned strings (the Device keyword arguments).
struct OpenArgs {
  uint64_t timeout_ns = 0;
  std::string wave_file;
  uint64_t wave_from = 0, wave_to = 0, wave_cmd = 0;
  std::string trace_file;
};

class DeviceHandle {
 public:
  DeviceHandle(const std::string& backend, const OpenArgs& a);
  // The open device; kiln::Error(INVALID_ARGUMENT) after close().
  kiln::Device& get();
  // Refuses further use; the simulator itself stops when the last object
  // using the device is gone (SystemC cannot be restarted in this process).
  void close() { closed_ = true; }
  bool closed() const { return closed_; }
  const std::string& backend() const { return backend_; }

 private:
  kiln::Device dev_;
  std::string backend_;
  bool closed_ = false;
};
using DevicePtr = std::shared_ptr<DeviceHandle>;

// A device matrix as Python sees it. Members are destroyed in reverse order:
// the buffer is freed first, then the matrix a view aliases, then the device.
struct Matrix {
  DevicePtr dev;
  std::shared_ptr<void> owner;  // views: what owns the memory (a Matrix, a KvCache)
  sdk::DeviceMatrix m;
};
using MatrixPtr = std::shared_ptr<Matrix>;

// A command buffer together with what its commands refer to: the Python
// objects whose memory they name (kept until reset(), so that memory is not
// freed and handed out again before the commands ran) and the workspace for
// kernel intermediates.
struct CommandList {
  DevicePtr dev;
  std::vector<py::object> refs;
  std::unique_ptr<sdk::Workspace> ws;
  kiln::CommandBuffer cb;
  uint64_t pending_fence = 0;  // last submission of these commands (0 = none)

  explicit CommandList(DevicePtr d) : dev(std::move(d)) {}
  ~CommandList() { drain(); }
  CommandList(const CommandList&) = delete;
  CommandList& operator=(const CommandList&) = delete;

  sdk::Workspace& workspace() {
    if (!ws) ws = std::make_unique<sdk::Workspace>(dev->get());
    return *ws;
  }
  void reset() {
    drain();
    cb.reset();
    ws.reset();
    refs.clear();
  }
  // The device may still run a submission of these commands: let it finish
  // before their memory is freed (an error here was or will be reported by
  // the caller's own wait).
  void drain() noexcept {
    if (pending_fence && !dev->closed()) {
      try {
        dev->get().wait(pending_fence);
      } catch (...) {
      }
    }
    pending_fence = 0;
  }
};
using CommandListPtr = std::shared_ptr<CommandList>;

// A DeviceMatrix naming the same memory without owning it (what kernels take
// by value, e.g. LlamaLayerWeights); the caller keeps the owner alive.
sdk::DeviceMatrix alias(const sdk::DeviceMatrix& m);

// "bf16", "fp32", "int8", "int32" (any case) or a numpy dtype float32/int8/int32.
sdk::DType parse_dtype(py::handle h);
const char* dtype_str(sdk::DType t);  // "bf16", ...

// Host array -> device element layout (dense rows of dtype_bytes(t) each).
// 1-D arrays are one row. raw: BF16 from uint16 bit patterns.
std::vector<uint8_t> host_to_device_layout(py::handle array, sdk::DType t, bool raw, uint32_t* rows,
                                           uint32_t* cols);
// Device element layout -> numpy (BF16 as float32, or uint16 bits when raw).
py::array device_layout_to_numpy(const std::vector<uint8_t>& bytes, uint32_t rows, uint32_t cols,
                                 sdk::DType t, bool raw);

// Registration of each part of the module.
void bind_device(py::module_& m);
void bind_commands(py::module_& m);
void bind_model(py::module_& m);

}  // namespace kiln::pyb
