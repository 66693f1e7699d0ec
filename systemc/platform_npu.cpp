// PlatformHost::create for the real NPU: Vkiln_npu_top running kiln_fw_main.
#include "Vkiln_npu_top.h"
#include "kiln_fw.h"
#include "platform.h"
#include "verilated_model.h"

namespace kiln {

std::unique_ptr<PlatformHost> PlatformHost::create(const PlatformOptions& opts, std::string* err) {
  return create_platform_host(std::make_unique<VerilatedRtlModel<Vkiln_npu_top>>(), &kiln_fw_main, opts, err);
}

}  // namespace kiln
