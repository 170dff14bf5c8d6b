# tests/hardening.mk: `make hardening`, the slow checks of issue 7 (not part
# of `make check`): the unit tests, leakplot and the rotation demo built with
# AddressSanitizer + UndefinedBehaviorSanitizer, the thread and rotation tests
# with ThreadSanitizer (both out of tree, in $(HARDENING_OUT)/asan and /tsan,
# since the object directories are fixed), and valgrind memcheck on the normal
# plot/leakplot (a sample, then the whole corpus, as with ASan), the
# hostile logs in full (and under ASan), and the fault
# tests under real Python hosts with the issue's round counts
# (LEAKAGENT_HARDENING=1, every interpreter in PYTHONS).
# tests/hardening.sh does the work and ends with
# "N passed, N failed".  gcc 12's own sanitizer runtimes (libasan, libubsan,
# libtsan) are used; valgrind is an extra Debian package, and so are clang
# and libclang-rt-14-dev (libFuzzer's runtime, for -fsanitize=fuzzer): the
# fuzzers of tests/fuzz/fuzz.mk run for FUZZ_SECONDS each (default 180).

HARDENING_PACKAGES := valgrind clang libclang-rt-14-dev
HARDENING_OUT ?= tests/out/hardening

# `make hardening` installs them first (`make deps` keeps to what the build,
# the demo and `make check` need on any Debian 12).
.PHONY: deps-hardening
deps-hardening:
	tests/install_packages.sh $(HARDENING_PACKAGES)

hardening: deps-hardening
	MAKE="$(MAKE)" FUZZ_SECONDS="$(FUZZ_SECONDS)" PYTHONS="$(PYTHONS)" \
	    tests/hardening.sh $(HARDENING_OUT)
