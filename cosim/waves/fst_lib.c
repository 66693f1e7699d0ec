/* The FST reader Verilator ships (gtkwave/fstapi.c), compiled on its own for
   kiln-fst: the Verilated model library carries the writer half of the same
   file, so kiln-fst must not link both (duplicate symbols). */
#define FST_CONFIG_INCLUDE "fst_config.h"
#include "fastlz.c"
#include "fstapi.c"
#include "lz4.c"
