// First-fit device-memory allocator. Bookkeeping only: it never touches the
// device. Sizes are rounded up to 32 bytes (one AXI beat, the DMA granule).
#ifndef KILN_DRIVER_ALLOCATOR_H
#define KILN_DRIVER_ALLOCATOR_H

#include <cstdint>
#include <map>
#include <string>

#include "kiln/kiln.h"

namespace kiln {

class DeviceAllocator {
 public:
  static constexpr uint64_t kGranule = 32;

  DeviceAllocator(uint64_t base, uint64_t size) : base_(base), size_(size) {}

  // internal: a driver-owned block (the command ring), invisible to
  // owner_of() and not freeable through the API.
  kiln_status alloc(uint64_t size, uint64_t align, bool internal, uint64_t* addr,
                    uint64_t* rounded, std::string* err);
  kiln_status free(uint64_t addr, uint64_t size, std::string* err);

  // The user allocation containing [begin, end), or false.
  bool owner_of(uint64_t begin, uint64_t end, uint64_t* alloc_base, uint64_t* alloc_size) const;
  // The user allocation nearest to `addr` (for messages); false if none.
  bool nearest(uint64_t addr, uint64_t* alloc_base, uint64_t* alloc_size) const;

  uint64_t base() const { return base_; }
  uint64_t size() const { return size_; }
  uint64_t free_bytes() const { return size_ - used_; }
  uint64_t largest_free() const;

 private:
  struct Block {
    uint64_t size;
    bool internal;
  };
  uint64_t base_;
  uint64_t size_;
  uint64_t used_ = 0;
  std::map<uint64_t, Block> blocks_;  // by address
};

}  // namespace kiln

#endif  // KILN_DRIVER_ALLOCATOR_H
