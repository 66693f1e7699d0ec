# Kiln entry points. Everything goes through CMake in build/ (Release by default).
#   make                 build everything
#   make test            run all tests (ctest)
#   make cosim TEST=attention  run a co-simulation test (TEST=list lists them)
#   make lint            verilator --lint-only -Wall on every RTL block
#   make bench           simulation-speed benchmark (writes build/bench/*.json)
#   make firmware-rv32   cross-compile the firmware for rv32imc and print its size

BUILD_DIR  ?= build
BUILD_TYPE ?= Release
JOBS       ?= $(shell nproc)
TEST       ?= attention
BACKEND    ?= rtl
ARGS       ?=
CMAKE      ?= cmake

.PHONY: all build bootstrap configure test cosim lint bench firmware-rv32 clean

all: build

bootstrap:
	@scripts/bootstrap.sh

$(BUILD_DIR)/CMakeCache.txt: | bootstrap
	$(CMAKE) -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

configure: bootstrap $(BUILD_DIR)/CMakeCache.txt

build: configure
	$(CMAKE) --build $(BUILD_DIR) -j $(JOBS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

cosim: build
	$(BUILD_DIR)/cosim/kiln-cosim --test $(TEST) --backend $(BACKEND) --out-dir $(BUILD_DIR)/cosim $(ARGS)

lint: configure
	$(CMAKE) --build $(BUILD_DIR) --target kiln_generated
	scripts/lint.sh $(BUILD_DIR)

bench: build
	scripts/bench.sh $(BUILD_DIR)

firmware-rv32: configure
	$(CMAKE) --build $(BUILD_DIR) --target firmware-rv32

clean:
	rm -rf $(BUILD_DIR)
