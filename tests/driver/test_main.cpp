#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "mock_backend.h"

int main(int argc, char** argv) {
  kiln_test::register_mock_backend();
  return Catch::Session().run(argc, argv);
}
