// libsystemc.so defines main() and needs sc_main; Kiln's programs have their
// own main() and build the platform from ordinary code, so this only
// satisfies the link. Weak: a program that does use sc_main wins.
#include <cstdio>

extern "C" __attribute__((weak)) int sc_main(int, char**) {
  std::fprintf(stderr, "kiln: this program has no sc_main\n");
  return 1;
}
