# tests/fuzz/fuzz.mk: fuzzing (issue 7).  Two libFuzzer targets:
#   fuzz_cfg  the config loader (agent/cfg*.c), overrides included
#   fuzz_log  the log reader, then the detector and reports on what it read
# built by clang (Debian's clang + libclang-rt-14-dev for libFuzzer) with
# -fsanitize=fuzzer,address,undefined into $(FUZZ_OUT), one clang command
# per target over the .c files it needs (the object directories are gcc's).
# The same targets are linked by gcc with tests/fuzz/replay.c into
# tests/obj/fuzz_replay_*, which `make check` runs over the seed corpus and
# every saved crash (tests/fuzz/seeds, tests/fuzz/regress).
#   make fuzz                         build both fuzzers
#   make fuzz-run [FUZZ_SECONDS=600]  run both side by side, that long each
# `make hardening` runs them for FUZZ_SECONDS too (tests/hardening.sh).
# See tests/fuzz/README.md.  Included by the top Makefile after tests.mk.

FUZZ_CC      ?= clang
FUZZ_OUT     ?= tests/out/fuzz
# 180 s each (side by side) keeps `make hardening` near 5 minutes on 2 cores;
# CI, with 90 minutes for check + hardening, can afford FUZZ_SECONDS=900.
FUZZ_SECONDS ?= 180
FUZZ_FLAGS   := -std=gnu11 -g -O1 -fno-omit-frame-pointer -D_GNU_SOURCE $(WARNINGS) \
                -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
# Each target with its library's sources (the lists of agent.mk and
# plot.mk, so a new module needs no edit here; the linker keeps what is used).
FUZZ_CFG_SRCS := tests/fuzz/fuzz_cfg.c $(AGENT_SRCS)
FUZZ_LOG_SRCS := tests/fuzz/fuzz_log.c $(PLOT_SRCS)
# The log reader with small blocks (lp_input.h): with 8 MiB blocks and 1 MiB
# gzip reads, inputs of a few KB never reached a block's end, a line longer
# than a block, a gzip member split across reads or the bomb ratio check
# (judged from 16 MiB of text on).  Also 1.6 times the executions a second
# (fewer 8 MiB buffers through ASan).  The replay driver is built the same
# way, so that what the fuzzer found replays as it was found.
FUZZ_LOG_DEFS := -DLP_INPUT_BLOCK='((size_t)4096)' -DLP_INPUT_RAW_CHUNK='((size_t)512)' \
                 -DLP_INPUT_RATIO_FROM='((size_t)65536)'

.PHONY: fuzz fuzz-run
fuzz: $(FUZZ_OUT)/fuzz_cfg $(FUZZ_OUT)/fuzz_log

$(FUZZ_OUT):
	mkdir -p $@

$(FUZZ_OUT)/fuzz_cfg: $(FUZZ_CFG_SRCS) tests/fuzz/fuzz.h $(wildcard agent/*.h) | $(FUZZ_OUT)
	$(FUZZ_CC) $(FUZZ_FLAGS) -Iagent -Itests/fuzz $(YAML_CFLAGS) $(ZLIB_CFLAGS) $(FUZZ_CFG_SRCS) \
	    -o $@ $(AGENT_LIBS)

$(FUZZ_OUT)/fuzz_log: $(FUZZ_LOG_SRCS) tests/fuzz/fuzz.h $(wildcard plot/*.h) | $(FUZZ_OUT)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(FUZZ_LOG_DEFS) -Iplot -Itests/fuzz $(ZLIB_CFLAGS) $(FUZZ_LOG_SRCS) \
	    -o $@ $(PLOT_LIBS)

fuzz-run: fuzz
	FUZZ_OUT=$(FUZZ_OUT) tests/fuzz/run_fuzz.sh $(FUZZ_SECONDS) cfg log

# The replay drivers: plain gcc builds against the libraries `make` builds.
FUZZ_REPLAYS := tests/obj/fuzz_replay_cfg tests/obj/fuzz_replay_log
UNIT_TESTS += $(FUZZ_REPLAYS)
CHECK_PROGRAMS += $(FUZZ_REPLAYS)

tests/obj/fuzz_replay_cfg: tests/fuzz/replay.c tests/fuzz/fuzz_cfg.c $(AGENT_LIB) | tests/obj
	$(CC) $(ALL_CFLAGS) -Iagent -Itests/fuzz -DSOURCE_DIR=\"$(CURDIR)\" -DREPLAY_TARGET=\"cfg\" \
	    $(filter %.c,$^) -o $@ $(AGENT_LIB) $(AGENT_LIBS) $(LDFLAGS)

tests/obj/fuzz_replay_log: tests/fuzz/replay.c $(FUZZ_LOG_SRCS) $(wildcard plot/*.h) | tests/obj
	$(CC) $(ALL_CFLAGS) $(FUZZ_LOG_DEFS) -Iplot -Itests/fuzz $(ZLIB_CFLAGS) -DSOURCE_DIR=\"$(CURDIR)\" \
	    -DREPLAY_TARGET=\"log\" $(filter %.c,$^) -o $@ $(PLOT_LIBS) $(LDFLAGS)
