#include "allocator.h"

#include "util.h"

namespace kiln {

namespace {
uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }
}  // namespace

kiln_status DeviceAllocator::alloc(uint64_t size, uint64_t align, bool internal, uint64_t* addr,
                                   uint64_t* rounded, std::string* err) {
  if (size == 0) {
    *err = "kiln_alloc: size is 0";
    return KILN_ERR_INVALID_ARGUMENT;
  }
  if (align == 0) align = kGranule;
  if (align & (align - 1)) {
    *err = fmt("kiln_alloc: alignment %llu is not a power of two",
               static_cast<unsigned long long>(align));
    return KILN_ERR_INVALID_ARGUMENT;
  }
  if (align < kGranule) align = kGranule;
  if (size > size_ || align > size_) {
    *err = fmt("kiln_alloc: %llu bytes aligned to %llu can never fit in device memory of %llu bytes",
               static_cast<unsigned long long>(size), static_cast<unsigned long long>(align),
               static_cast<unsigned long long>(size_));
    return KILN_ERR_OUT_OF_MEMORY;
  }
  const uint64_t need = align_up(size, kGranule);
  const uint64_t end = base_ + size_;
  uint64_t cursor = base_;
  uint64_t found = 0;
  auto fits = [&](uint64_t gap_end) {
    const uint64_t a = align_up(cursor, align);
    if (a < cursor || a > gap_end || gap_end - a < need) return false;
    found = a;
    return true;
  };
  bool ok = false;
  for (const auto& kv : blocks_) {
    if ((ok = fits(kv.first))) break;
    cursor = kv.first + kv.second.size;
  }
  if (!ok) ok = fits(end);
  if (!ok) {
    *err = fmt("kiln_alloc: no free range of %llu bytes aligned to %llu in device memory %s "
               "(%llu bytes free, largest free block %llu bytes)",
               static_cast<unsigned long long>(need), static_cast<unsigned long long>(align),
               hex_range(base_, end).c_str(), static_cast<unsigned long long>(free_bytes()),
               static_cast<unsigned long long>(largest_free()));
    return KILN_ERR_OUT_OF_MEMORY;
  }
  blocks_[found] = Block{need, internal};
  used_ += need;
  *addr = found;
  *rounded = need;
  return KILN_OK;
}

kiln_status DeviceAllocator::free(uint64_t addr, uint64_t size, std::string* err) {
  auto it = blocks_.find(addr);
  if (it == blocks_.end()) {
    *err = fmt("kiln_free: no buffer is allocated at %s (freed twice, or not an address "
               "returned by kiln_alloc)", hex(addr).c_str());
    return KILN_ERR_INVALID_ARGUMENT;
  }
  if (it->second.internal) {
    *err = fmt("kiln_free: %s is the driver's command ring, not a user buffer", hex(addr).c_str());
    return KILN_ERR_INVALID_ARGUMENT;
  }
  if (size != it->second.size) {
    *err = fmt("kiln_free: buffer at %s has size %llu, not %llu", hex(addr).c_str(),
               static_cast<unsigned long long>(it->second.size),
               static_cast<unsigned long long>(size));
    return KILN_ERR_INVALID_ARGUMENT;
  }
  used_ -= it->second.size;
  blocks_.erase(it);
  return KILN_OK;
}

bool DeviceAllocator::owner_of(uint64_t begin, uint64_t end, uint64_t* ab, uint64_t* as) const {
  auto it = blocks_.upper_bound(begin);
  if (it == blocks_.begin()) return false;
  --it;
  if (it->second.internal || end > it->first + it->second.size) return false;
  *ab = it->first;
  *as = it->second.size;
  return true;
}

bool DeviceAllocator::nearest(uint64_t addr, uint64_t* ab, uint64_t* as) const {
  uint64_t best = UINT64_MAX;
  bool any = false;
  for (const auto& kv : blocks_) {
    if (kv.second.internal) continue;
    const uint64_t e = kv.first + kv.second.size;
    const uint64_t d = addr < kv.first ? kv.first - addr : (addr >= e ? addr - e + 1 : 0);
    if (d < best) best = d, *ab = kv.first, *as = kv.second.size, any = true;
  }
  return any;
}

uint64_t DeviceAllocator::largest_free() const {
  uint64_t cursor = base_, best = 0;
  for (const auto& kv : blocks_) {
    if (kv.first - cursor > best) best = kv.first - cursor;
    cursor = kv.first + kv.second.size;
  }
  if (base_ + size_ - cursor > best) best = base_ + size_ - cursor;
  return best;
}

}  // namespace kiln
