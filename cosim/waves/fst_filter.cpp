// kiln-fst filter: a copy of an FST with only the signals at most DEPTH
// levels of hierarchy below TOP (1 = the model's ports, 2 = + kiln_npu_top's
// own signals, 3 = + each block's own signals, ...), value changes unchanged.
// The tensor core's 256 PEs sit 6 levels down, so depth 3 or 4 keeps every
// block's registers and drops the array: a tensor-core window shrinks by an
// order of magnitude. (Verilator 5.006 cannot restrict what it dumps at run
// time: its dumpvars() filter crashes the FST writer, so the island dumps
// everything and this trims the file afterwards.)
#include <cstdio>
#include <string>
#include <vector>

#include "fstapi.h"

namespace {

struct Copy {
  void* w;
  const std::vector<fstHandle>* map;
  uint64_t time = 0;
  bool started = false;
};

void on_change(void* user, uint64_t time, fstHandle h, const unsigned char* value) {
  auto* c = static_cast<Copy*>(user);
  if (!c->started || time != c->time) {
    fstWriterEmitTimeChange(c->w, time);
    c->time = time;
    c->started = true;
  }
  const fstHandle out = h < c->map->size() ? (*c->map)[h] : 0;
  if (out) fstWriterEmitValueChange(c->w, out, value);
}

}  // namespace

int cmd_filter(unsigned depth, const char* in, const char* out) {
  void* r = fstReaderOpen(in);
  if (!r) {
    std::fprintf(stderr, "kiln-fst: cannot read FST %s\n", in);
    return 1;
  }
  void* w = fstWriterCreate(out, 1);
  if (!w) {
    std::fprintf(stderr, "kiln-fst: cannot write %s\n", out);
    fstReaderClose(r);
    return 1;
  }
  fstWriterSetTimescale(w, fstReaderGetTimescale(r));
  std::vector<fstHandle> map(fstReaderGetMaxHandle(r) + 1, 0);
  unsigned level = 0;
  uint64_t kept = 0, dropped = 0;
  fstReaderClrFacProcessMaskAll(r);
  while (fstHier* h = fstReaderIterateHier(r)) {
    if (h->htyp == FST_HT_SCOPE) {
      if (++level <= depth)
        fstWriterSetScope(w, static_cast<fstScopeType>(h->u.scope.typ), h->u.scope.name, h->u.scope.component);
    } else if (h->htyp == FST_HT_UPSCOPE) {
      if (level-- <= depth) fstWriterSetUpscope(w);
    } else if (h->htyp == FST_HT_VAR) {
      if (level > depth) {
        ++dropped;
        continue;
      }
      const fstHandle src = h->u.var.handle;
      // The first declaration of a handle carries its changes; later ones
      // (Verilog aliases of the same net) point at it.
      const fstHandle nh = fstWriterCreateVar(w, static_cast<fstVarType>(h->u.var.typ),
                                              static_cast<fstVarDir>(h->u.var.direction), h->u.var.length,
                                              h->u.var.name, src < map.size() ? map[src] : 0);
      if (src < map.size() && !map[src]) {
        map[src] = nh;
        fstReaderSetFacProcessMask(r, src);
      }
      ++kept;
    }
  }
  Copy c{w, &map};
  fstReaderIterBlocks(r, on_change, &c, nullptr);
  fstWriterClose(w);
  fstReaderClose(r);
  std::printf("kiln-fst filter: depth %u kept %llu signals, dropped %llu\n", depth, (unsigned long long)kept,
              (unsigned long long)dropped);
  return 0;
}
