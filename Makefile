# Kiln entry points. Everything goes through CMake in build/ (Release by default).
#   make                 build everything
#   make test            run all tests (ctest)
#   make cosim TEST=attention  run a co-simulation test (TEST=list lists them)
#   make cosim TEST=attention WAVES=1 [WAVE_CMD=3 | WAVE_FROM=N WAVE_TO=M] [WAVE_DEPTH=3]
#                        also write build/cosim/<test>/waves.fst + waves.gtkw
#   make waves TEST=attention  open them in GTKWave (docs/debugging.md)
#   make cosim TEST=decoder_layer TRACE=1
#                        also write build/cosim/<test>/trace.json, a run trace
#                        (commands, DMA channels, tensor core, vector unit,
#                        fences) for ui.perfetto.dev (docs/debugging.md "Traces")
#   make lint            verilator --lint-only -Wall on every RTL block
#   make bench           simulation-speed benchmark (writes build/bench/*.json)
#   make firmware-rv32   cross-compile the firmware for rv32imc and print its size
#   make generate PROMPT="..." TOKENS=32 BACKEND=fast [RTL_LAYERS=0,7]
#                        SmolLM2-135M on the virtual NPU (docs/model.md)
#   make sample NAME=gemm_hello  run an SDK sample (sdk/samples; no NAME: list them)
#   make python          build only the Python SDK (import kiln; docs/python.md)
#   make correlate [CASES=gemm,attention] [UPDATE_DOCS=1]
#                        performance model vs the RTL over the correlation sweep
#                        (build/correlate/: report.json, scatter.png, table.md)
#   make whatif MODEL=llama3-8b [PROMPT_TOKENS=512]
#                        design-space projection (build/whatif/: whatif.json, roofline.png)

BUILD_DIR  ?= build
BUILD_TYPE ?= Release
JOBS       ?= $(shell nproc)
TEST       ?= attention
BACKEND    ?= rtl
ARGS       ?=
NAME       ?=
PROMPT     ?= What is the capital of France?
TOKENS     ?= 32
RTL_LAYERS ?=
WAVES      ?=
WAVE_FROM  ?=
WAVE_TO    ?=
WAVE_CMD   ?=
WAVE_DEPTH ?=
TRACE      ?=
CMAKE      ?= cmake
KILN_PYTHON ?= python3
CASES      ?=
UPDATE_DOCS ?=
MODEL      ?= llama3-8b
PROMPT_TOKENS ?= 512

.PHONY: all build bootstrap configure test cosim waves lint bench firmware-rv32 clean sample python generate \
        correlate whatif

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

# WAVES=1: the RTL island dumps an FST (only the window when WAVE_* are
# given), WAVE_DEPTH=n keeps only the signals n levels below TOP or less
# (3: every block's own signals, not the tensor core's PEs), then kiln-fst
# writes the GTKWave save file next to it.
WAVE_DIR  = $(BUILD_DIR)/cosim/$(TEST)
WAVE_ARGS = $(if $(WAVES),--waves $(WAVE_DIR)/waves.fst $(if $(WAVE_FROM),--wave-from $(WAVE_FROM)) \
              $(if $(WAVE_TO),--wave-to $(WAVE_TO)) $(if $(WAVE_CMD),--wave-cmd $(WAVE_CMD)))
WAVE_TRIM = $(if $(WAVE_DEPTH),$(BUILD_DIR)/cosim/kiln-fst filter $(WAVE_DEPTH) $(WAVE_DIR)/waves.fst \
              $(WAVE_DIR)/waves.depth.fst && mv $(WAVE_DIR)/waves.depth.fst $(WAVE_DIR)/waves.fst &&)
# TRACE=1: the run trace (any backend), next to the test's report.
TRACE_ARGS = $(if $(TRACE),--trace $(WAVE_DIR)/trace.json)

# The .gtkw is written even when the test fails: that is when it is needed.
cosim: build
	$(if $(WAVES),@mkdir -p $(WAVE_DIR) && rm -f $(WAVE_DIR)/waves.fst $(WAVE_DIR)/waves.fst.info $(WAVE_DIR)/waves.gtkw)
	$(if $(TRACE),@mkdir -p $(WAVE_DIR))
	@rc=0; $(BUILD_DIR)/cosim/kiln-cosim --test $(TEST) --backend $(BACKEND) --out-dir $(BUILD_DIR)/cosim \
	  $(WAVE_ARGS) $(TRACE_ARGS) $(ARGS) || rc=$$?; \
	$(if $(WAVES),[ ! -f $(WAVE_DIR)/waves.fst ] || { $(WAVE_TRIM) $(BUILD_DIR)/cosim/kiln-fst gtkw $(WAVE_DIR)/waves.fst \
	  $(WAVE_DIR)/waves.gtkw && echo "waves: $(WAVE_DIR)/waves.fst + waves.gtkw (make waves TEST=$(TEST))"; };) \
	exit $$rc

# Opens the last `make cosim WAVES=1` of TEST in GTKWave, or prints the
# command when there is no display or no gtkwave (Debian: apt-get install gtkwave).
waves:
	@test -f $(WAVE_DIR)/waves.fst || { echo "no $(WAVE_DIR)/waves.fst: run make cosim TEST=$(TEST) WAVES=1 first" >&2; exit 1; }
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ] && command -v gtkwave >/dev/null; then \
	  gtkwave $(WAVE_DIR)/waves.fst $(WAVE_DIR)/waves.gtkw; \
	else \
	  command -v gtkwave >/dev/null || echo "gtkwave is not installed (Debian: sudo apt-get install gtkwave)"; \
	  [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ] || echo "no display: open the waveform where you have one with"; \
	  echo "  gtkwave $(WAVE_DIR)/waves.fst $(WAVE_DIR)/waves.gtkw"; \
	fi

lint: configure
	$(CMAKE) --build $(BUILD_DIR) --target kiln_generated
	scripts/lint.sh $(BUILD_DIR)

bench: build
	scripts/bench.sh $(BUILD_DIR)

firmware-rv32: configure
	$(CMAKE) --build $(BUILD_DIR) --target firmware-rv32

# The prompt travels in the environment, so quotes in it need no escaping.
# BACKEND is passed only when given here (kiln-generate's default is fast;
# the cosim default rtl would make a 30-layer run take hours).
generate: export KILN_GENERATE_PROMPT = $(PROMPT)
generate: build
	@scripts/fetch_model.sh > /dev/null
	$(BUILD_DIR)/sdk/kiln-generate --prompt "$$KILN_GENERATE_PROMPT" --tokens $(TOKENS) \
	  $(if $(filter command line environment,$(origin BACKEND)),--backend $(BACKEND)) \
	  $(if $(RTL_LAYERS),--rtl-layers $(RTL_LAYERS)) --report $(BUILD_DIR)/generate/report.json $(ARGS)

# Samples run on the backend they choose (fast) unless BACKEND is given here.
sample:
ifeq ($(NAME),)
	@sdk/samples/run_sample.sh --list
else
	@sdk/samples/run_sample.sh --check "$(NAME)"
	@$(MAKE) --no-print-directory build
	@$(if $(filter command line,$(origin BACKEND)),KILN_BACKEND=$(BACKEND)) sdk/samples/run_sample.sh $(BUILD_DIR) "$(NAME)" $(ARGS)
endif

python: configure
	$(CMAKE) --build $(BUILD_DIR) -j $(JOBS) --target kiln_python

# The sweep runs on BACKEND (default rtl); fails when the mean |error| is
# over 2 % or a case is over 5 % (docs/correlation.md). The plot and the table
# are written either way.
correlate: build
	@rc=0; $(BUILD_DIR)/perf/kiln-correlate --backend $(BACKEND) --out $(BUILD_DIR)/correlate \
	  $(if $(CASES),--only $(CASES)) --check 2,5 $(ARGS) || rc=$$?; \
	[ ! -f $(BUILD_DIR)/correlate/report.json ] || $(KILN_PYTHON) perf/scripts/correlation_report.py \
	  $(BUILD_DIR)/correlate/report.json $(BUILD_DIR)/correlate $(if $(UPDATE_DOCS),--update-docs docs/correlation.md) \
	  || rc=1; exit $$rc

whatif: build
	$(BUILD_DIR)/perf/kiln-perf whatif --model $(MODEL) --prompt $(PROMPT_TOKENS) --out $(BUILD_DIR)/whatif $(ARGS)

clean:
	rm -rf $(BUILD_DIR)
