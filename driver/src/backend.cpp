// Backend registry. Built-ins are registered explicitly (not via static
// initialisers) because the driver is a static library: the linker would drop
// an object file whose only purpose is a self-registering global.
#include "backend.h"

#include <map>
#include <mutex>

namespace kiln {

Backend::~Backend() = default;

bool Backend::select_npu(const std::string& kind, std::string* err) {
  if (err)
    *err = "cannot select the \"" + kind + "\" NPU: the " + name() +
           " backend has a single NPU; open the \"both\" backend to switch between rtl and fast";
  return false;
}

#ifdef KILN_HAVE_RTL_BACKEND
// rtl, fast, both, lockstep (backend_platform.cpp).
void register_platform_backends(std::map<std::string, BackendFactory>* factories);
#endif

namespace {

struct Registry {
  std::mutex mu;
  std::map<std::string, BackendFactory> factories;
};

Registry& registry() {
  // Never destroyed, so it stays usable during static teardown.
  static Registry* r = [] {
    auto* reg = new Registry();
#ifdef KILN_HAVE_RTL_BACKEND
    register_platform_backends(&reg->factories);
#endif
    return reg;
  }();
  return *r;
}

}  // namespace

void register_backend(const std::string& name, BackendFactory factory) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  r.factories[name] = std::move(factory);
}

bool unregister_backend(const std::string& name) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  return r.factories.erase(name) != 0;
}

const BackendFactory* find_backend(const std::string& name) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  auto it = r.factories.find(name);
  // std::map nodes are stable, so the pointer survives later registrations.
  return it == r.factories.end() ? nullptr : &it->second;
}

std::vector<std::string> backend_names() {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  std::vector<std::string> names;
  for (const auto& kv : r.factories) names.push_back(kv.first);
  return names;
}

}  // namespace kiln
