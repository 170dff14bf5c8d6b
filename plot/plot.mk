# plot/plot.mk: leakplot, the log reader, series store, growth detector and
# command line.  Objects in plot/obj/, the program at plot/leakplot, unit
# tests (tests/test_lp_*.c) at plot/obj/test_lp_*.  Included by the top
# Makefile before tests/tests.mk.

PLOT_SRCS := plot/lp_error.c plot/lp_array.c plot/lp_utf8.c plot/lp_series.c plot/lp_input.c plot/lp_files.c \
             plot/lp_read.c plot/lp_records.c plot/lp_chain.c plot/lp_chains.c plot/lp_kinds.c plot/lp_text.c plot/trend.c plot/detect.c plot/detect_store.c \
             plot/detect_siblings.c plot/detect_gauges.c plot/detect_rising.c plot/detect_load.c plot/detect_lineage.c plot/lp_report.c \
             plot/lp_time.c plot/lp_cli.c plot/lp_outfile.c plot/lp_dot.c
PLOT_OBJS := $(PLOT_SRCS:plot/%.c=plot/obj/%.o)
PLOT_LIB  := plot/obj/libleakplot.a
PLOT_LIBS := $(ZLIB_LIBS) -lpthread -lm
# dot(1): tests/test_lp_cli.sh renders what --dot writes (dot -Tsvg)
DEB_PACKAGES += graphviz

PLOT_UNIT_TESTS := plot/obj/test_lp_read plot/obj/test_lp_records plot/obj/test_lp_chains plot/obj/test_lp_trend \
                   plot/obj/test_lp_detect plot/obj/test_lp_cli
UNIT_TESTS += $(PLOT_UNIT_TESTS)
CHECK_PROGRAMS += $(PLOT_UNIT_TESTS) tests/test_lp_cli.sh tests/corpus/run_corpus.sh \
                  tests/corpus/run_corpus2.sh tests/test_lp_classes.py
# hostile logs (issue 7): ~20 s; HOSTILE_FULL=1 tests/test_hostile_logs.sh is
# the heavy variant (10 GiB bombs read through, a million types and pids)
CHECK_PROGRAMS += tests/test_hostile_logs.sh
CHECK_DEPS += plot/leakplot
CLEAN_FILES += plot/leakplot

all: plot/leakplot

plot/obj:
	mkdir -p $@

plot/obj/%.o: plot/%.c | plot/obj
	$(CC) $(ALL_CFLAGS) $(ZLIB_CFLAGS) -c $< -o $@

$(PLOT_LIB): $(PLOT_OBJS)
	rm -f $@
	ar rcs $@ $^

plot/leakplot: plot/obj/leakplot.o $(PLOT_LIB)
	$(CC) $(ALL_CFLAGS) $< -o $@ $(RENDER_LIB) $(PLOT_LIB) $(RENDER_LIBS) $(PLOT_LIBS) $(LDFLAGS)

# A test may include the .c it tests (UNIT_TESTING) to reach static parts.
$(PLOT_UNIT_TESTS): plot/obj/%: tests/%.c $(PLOT_LIB) | plot/obj
	$(CC) $(ALL_CFLAGS) -DUNIT_TESTING -Iplot $(CMOCKA_CFLAGS) $(ZLIB_CFLAGS) \
	    -DSOURCE_DIR=\"$(CURDIR)\" $< -o $@ $(PLOT_LIB) $(CMOCKA_LIBS) $(PLOT_LIBS) $(LDFLAGS)

# `make install`: leakplot into $(DESTDIR)$(PREFIX)/bin.
.PHONY: install-leakplot
install: install-leakplot
install-leakplot: plot/leakplot
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 plot/leakplot $(DESTDIR)$(PREFIX)/bin/leakplot
