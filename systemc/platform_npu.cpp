// PlatformHost::create for the real NPU: Vkiln_npu_top (opts.npu "rtl" or
// "both") and/or the fast model ("fast", "both"), running kiln_fw_main.
#include "Vkiln_npu_top.h"
#include "kiln_fw.h"
#include "platform.h"
#include "verilated_model.h"

namespace kiln {

std::unique_ptr<PlatformHost> PlatformHost::create(const PlatformOptions& opts, std::string* err) {
  if (!valid_npu_choice(opts.npu, err)) return nullptr;
  // The fast-only platform does not build the Verilated model at all.
  std::unique_ptr<RtlModel> model;
  if (opts.npu != "fast") model = std::make_unique<VerilatedRtlModel<Vkiln_npu_top>>();
  return create_platform_host(std::move(model), &kiln_fw_main, opts, err);
}

}  // namespace kiln
