# SPDX-License-Identifier: GPL-2.0
#
# The one entry point: make, make check, make demo, make fuzz, make help.
# Object lists live in Kbuild. `make V=1` shows the commands.

include Kbuild

O ?= build
CC ?= gcc
CLANG ?= clang
BPFTOOL ?= bpftool
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
CLANG_FORMAT ?= clang-format

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

# LAYOUT=grown builds a clawlock whose maps have another layout, for the
# upgrade test (build/grown/clawlock, made by `make tests`).
ifeq ($(LAYOUT),grown)
LAYOUT_DEFINES := -DCL_TEST_GROWN_LAYOUT
endif

CFLAGS ?= -O2 -g
override CFLAGS += $(LAYOUT_DEFINES) -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -MMD -MP \
	-I$(O) -Ikernel -Iuserspace -Itests/unit -Itests/kernel -isystem $(O)/kselftest -isystem /usr/include/libnl3
# The libraries are linked in, libc alone stays shared (its NSS modules
# resolve docker.user). Each call of OpenClaw's backend starts clawlock
# anew, and the dynamic loader's relocations of the libraries
# cost more than the call's own work: 4x the start of a static link in
# the test VM. STATIC_LIBS=0 links them shared.
STATIC_LIBS ?= 1
LIBS := -lbpf -lelf -lz -ljson-c -lunistring -lnettle -lcap -lnl-route-3 -lnl-3
ifeq ($(STATIC_LIBS),1)
LDLIBS := -Wl,-Bstatic $(LIBS) -Wl,-Bdynamic
else
LDLIBS := $(LIBS)
endif

ifeq ($(SANITIZE),1)
override CFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
override LDFLAGS += -fsanitize=address,undefined
endif

BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror \
	-I$(O) -Ikernel $(LAYOUT_DEFINES)

bpf-objs := $(addprefix $(O)/,$(bpf-y))
skels := $(patsubst $(O)/kernel/%.bpf.o,$(O)/%.skel.h,$(bpf-objs))
lib-objs := $(addprefix $(O)/,$(libclawlock-y))
cmd-objs := $(addprefix $(O)/,$(clawlock-y))
unit-tests := $(addprefix $(O)/,$(unit-tests-y))
kernel-tests := $(addprefix $(O)/,$(kernel-tests-y))
fuzzers := $(addprefix $(O)/,$(fuzz-y))
harness := $(O)/kselftest/kselftest_harness.h

.PHONY: all tests check unit-check demo bench bench-ab fuzz format format-check setup clean help
.DEFAULT_GOAL := all
# Keep the BPF objects and skeletons between runs: they are not throwaway.
.SECONDARY:

all: $(O)/clawlock

help:
	@echo 'make               build build/clawlock and the BPF objects'
	@echo 'make tests         build unit and kernel test binaries'
	@echo 'make check         unit tests here (ASan/UBSan), kernel tests in the VM'
	@echo '                   on 6.1 and 6.12; ends with "N passed, N failed"'
	@echo 'make unit-check    unit tests only'
	@echo 'make demo          boot the VM: agents confined per scope, a live update, denials'
	@echo 'make bench         benchmarks in the VM (6.1, 6.12): build/bench/report.md'
	@echo 'make bench-ab A=REV B=REV  two commits'"'"' hook costs side by side: build/ab/report.md'
	@echo 'make fuzz          run the JSON5 fuzzer (FUZZ_SECONDS=600)'
	@echo 'make format        run clang-format over the C sources'
	@echo 'make setup         install build and test dependencies (Debian)'
	@echo 'options: V=1 (show commands), O=DIR (build folder), SANITIZE=1'

$(O)/vmlinux.h:
	$(call msg,BTF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp
	$(Q)mv $@.tmp $@

bpf-headers := $(wildcard kernel/*.h kernel/*/*.h)
$(O)/kernel/%.bpf.o: kernel/%.bpf.c $(bpf-headers) $(O)/vmlinux.h
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# The concerns' objects, linked into one (maps defined once, types checked).
$(O)/kernel/clawlock.bpf.o: $(addprefix $(O)/,$(clawlock.bpf-y))
	$(call msg,BPFLINK,$@)
	$(Q)$(BPFTOOL) gen object $@ $^

$(O)/%.skel.h: $(O)/kernel/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@.tmp
	$(Q)mv $@.tmp $@

$(harness):
	$(call msg,FETCH,$@)
	$(Q)tests/fetch-kselftest $(@D)

$(O)/userspace/%.o: userspace/%.c | $(skels)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(O)/tests/%.o: tests/%.c | $(skels) $(harness)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(O)/clawlock: $(cmd-objs) $(lib-objs)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(unit-tests) $(kernel-tests): %: %.o $(lib-objs)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

tests: $(O)/clawlock $(unit-tests) $(kernel-tests) $(O)/grown/clawlock

# The same sources with a grown map layout: upgrade_test carries maps over
# to it. Its own make knows its dependencies; this one always asks it.
$(O)/grown/clawlock: FORCE
	$(Q)$(MAKE) -q --no-print-directory O=$(O)/grown LAYOUT=grown $(O)/grown/clawlock || \
		$(MAKE) --no-print-directory O=$(O)/grown LAYOUT=grown $(O)/grown/clawlock

.PHONY: FORCE
FORCE:

# Unit tests (and the clawlock they run) under ASan/UBSan in their own build
# folder; kernel tests in the VM with the plain build: under TCG an ASan
# clawlock made the kernel suite too slow for CI's time.
check: tests
	$(Q)$(MAKE) --no-print-directory O=$(O)/asan SANITIZE=1 $(O)/asan/clawlock \
		$(addprefix $(O)/asan/,$(unit-tests-y))
	$(Q)tests/run-tests --build $(O) --unit-build $(O)/asan

unit-check: tests
	$(Q)$(MAKE) --no-print-directory O=$(O)/asan SANITIZE=1 $(O)/asan/clawlock \
		$(addprefix $(O)/asan/,$(unit-tests-y))
	$(Q)tests/run-tests --build $(O) --unit-build $(O)/asan --no-vm

demo: $(O)/clawlock
	$(Q)tests/vm/run-vm --kernel $(or $(KERNEL),6.12) -- tests/demo.sh $(O)/clawlock

# Benchmarks: in the VM, one kernel at a time, then one report of both.
BENCH_KERNELS ?= 6.1 6.12
BENCH_ROUNDS ?= 3
# The guest caches the host root as a host caches its own disk: without,
# every path lookup and library load is a 9p round trip to the host, and a
# process start measures the share, not clawlock. The tests keep none.
BENCH_ROOT_CACHE ?= loose
# A subset of "micro macro hooks curves scopes events" adds to the measurements on record.
BENCH_PARTS ?=

$(O)/tests/bench/microbench: tests/bench/microbench.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O2 -Wall -Wextra -Werror -D_GNU_SOURCE $< -o $@ -lpthread

$(O)/tests/bench/tiny: tests/bench/tiny.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O2 -static -nostdlib -fno-stack-protector $< -o $@

$(O)/tests/bench/report: tests/bench/report.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O2 -Wall -Wextra -Werror -D_GNU_SOURCE $< -o $@ -ljson-c

bench: $(O)/clawlock $(O)/tests/bench/microbench $(O)/tests/bench/tiny $(O)/tests/bench/report
	$(Q)mkdir -p $(O)/bench
	$(Q)[ -n "$(BENCH_PARTS)" ] || rm -f $(O)/bench/raw-*.jsonl
	$(Q)# A kernel whose run fails still leaves its measurements so far, and
	$(Q)# the next kernel runs: the report shows what was measured.
	$(Q)status=0; for k in $(BENCH_KERNELS); do \
		tests/vm/run-vm --timeout 7200 --mem 4096 --root-cache $(BENCH_ROOT_CACHE) \
			--kernel $$k -- tests/bench/run-bench $(O) \
			$(CURDIR)/$(O)/bench/raw-$$k.jsonl $(BENCH_ROUNDS) "$(BENCH_PARTS)" || status=1; \
	done; \
	$(O)/tests/bench/report $(O)/bench \
		$(addprefix $(O)/bench/raw-,$(addsuffix .jsonl,$(BENCH_KERNELS))) && exit $$status

# make bench-ab A=REV B=REV: the hooks' clock of two commits' clawlock (REV
# "." is this tree's build) side by side, in one boot per kernel, in
# alternating rounds: $(O)/ab/report.md. Each commit builds in its own
# worktree under $(O)/ab/; the benchmark programs are this tree's.
AB_ROUNDS ?= 6
bench-ab: $(O)/clawlock $(O)/tests/bench/microbench $(O)/tests/bench/tiny $(O)/tests/bench/report
	$(Q)if [ -z "$(A)" ] || [ -z "$(B)" ]; then \
		echo "usage: make bench-ab A=REV B=REV (a commit, or . for this tree)" >&2; exit 2; fi
	$(Q)tests/bench/build-rev "$(A)" $(O)/ab/a $(O)/clawlock
	$(Q)tests/bench/build-rev "$(B)" $(O)/ab/b $(O)/clawlock
	$(Q)rm -f $(O)/ab/raw-*.jsonl
	$(Q)status=0; for k in $(BENCH_KERNELS); do \
		tests/vm/run-vm --timeout 7200 --mem 4096 --root-cache $(BENCH_ROOT_CACHE) \
			--kernel $$k -- tests/bench/run-bench $(O) \
			$(CURDIR)/$(O)/ab/raw-$$k.jsonl $(AB_ROUNDS) ab \
			$(CURDIR)/$(O)/ab/a/clawlock $(CURDIR)/$(O)/ab/b/clawlock || status=1; \
	done; \
	$(O)/tests/bench/report $(O)/ab \
		$(addprefix $(O)/ab/raw-,$(addsuffix .jsonl,$(BENCH_KERNELS))) && \
	printf '\nA: %s  \nB: %s\n' "$$(cat $(O)/ab/a/rev)" "$$(cat $(O)/ab/b/rev)" >>$(O)/ab/report.md && \
	exit $$status

FUZZ_SECONDS ?= 600
FUZZ_CFLAGS := -g -O1 -std=gnu11 -D_GNU_SOURCE -Ikernel -Iuserspace -isystem /usr/include/libnl3 \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

$(O)/tests/fuzz/json5_fuzz: tests/fuzz/json5_fuzz.c userspace/policy/json5.c userspace/policy/json5.h
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) tests/fuzz/json5_fuzz.c userspace/policy/json5.c \
		-ljson-c -lunistring -o $@

OC_FUZZ_SOURCES := tests/fuzz/openclaw_fuzz.c userspace/policy/json5.c userspace/openclaw/openclaw.c \
	userspace/openclaw/ocsandbox.c userspace/openclaw/ocvalues.c userspace/openclaw/ocpolicy.c userspace/policy/policy.c userspace/openclaw/ocscope.c \
	userspace/util.c userspace/policy/netrule.c userspace/policy/ifaddr.c

$(O)/tests/fuzz/openclaw_fuzz: $(OC_FUZZ_SOURCES) $(wildcard userspace/*.h userspace/*/*.h)
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $(OC_FUZZ_SOURCES) -ljson-c -lunistring -lnettle \
		-lnl-route-3 -lnl-3 -o $@

# Each fuzzer runs FUZZ_SECONDS; FUZZERS picks some (json5_fuzz openclaw_fuzz).
FUZZERS ?= $(notdir $(fuzz-y))

fuzz: $(fuzzers)
	$(Q)for f in $(FUZZERS); do \
		corpus=$(O)/fuzz-corpus/$$f; mkdir -p $$corpus; \
		cp -n tests/unit/policy/json5-cases/* policies/examples/* $$corpus/ 2>/dev/null; \
		echo "fuzz: $$f for $(FUZZ_SECONDS)s"; \
		CLAWLOCK_SOURCE=$(CURDIR) $(O)/tests/fuzz/$$f -max_total_time=$(FUZZ_SECONDS) \
			-max_len=4096 -print_final_stats=1 $$corpus || exit 1; \
	done

SOURCES = $(wildcard kernel/*.c kernel/*.h kernel/*/*.h userspace/*.c userspace/*.h userspace/*/*.c userspace/*/*.h tests/*/*.c tests/*/*.h tests/*/*/*.c)

format:
	$(Q)$(CLANG_FORMAT) -i $(SOURCES)

format-check:
	$(Q)$(CLANG_FORMAT) --dry-run --Werror $(SOURCES)

setup:
	$(Q)./dev setup

clean:
	$(Q)rm -rf $(O)

-include $(shell find $(O) -name '*.d' 2>/dev/null)
