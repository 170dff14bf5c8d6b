# tests/bench/bench.mk: `make bench` (issue 6), one table of medians and
# ratios: snapshot cost under every CPython 3.11+ found (the PYTHONS of
# agent/python.mk), GIL hold, host overhead and memory under $(PYTHON),
# leakplot against mawk and the matplotlib recipe.  Not part of `make
# check`.  Included last by the top Makefile (it reads PYTHONS and
# PLOT_LIB); leakplot is built only when plot/plot.mk was included, and
# without it tests/bench/run_all.sh reports item 5 as missing.
# Output and the cached month of logs: $(BENCH_OUT) (gitignored).

BENCH_OUT ?= tests/out/bench

.PHONY: bench-table
bench: bench-table

bench-table: pyagent-ext-all $(if $(PLOT_LIB),plot/leakplot)
	BENCH_OUT=$(BENCH_OUT) tests/bench/run_all.sh $$(tests/python/find_pythons.sh $(PYTHONS))
