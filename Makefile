# Thin wrapper over CMake. `make demo` and `make test` install missing
# Debian packages, configure, build, then run.
BUILD ?= build
CMAKE_FLAGS ?=
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all deps configure build test demo bench clean

all: build

deps:
	@scripts/install-deps

configure: deps
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

test: build
	@ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

demo: build
	@$(BUILD)/vigie demo

bench: build
	@cmake --build $(BUILD) --target benches -j $(JOBS)
	@scripts/run-benches $(BUILD)

clean:
	@rm -rf $(BUILD)
