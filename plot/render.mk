# plot/render.mk: the renderer (axis ticks, decimation, layout, cairo
# painting) as plot/obj/librender.a, its unit tests, the end-to-end test,
# the drawing benchmark and `make demo`.  Included by the top Makefile
# right after plot/plot.mk (whose plot/obj and PLOT_LIB it uses).

RENDER_SRCS := plot/axis.c plot/decimate.c plot/layout.c plot/layout_page1.c plot/render.c
RENDER_OBJS := $(RENDER_SRCS:plot/%.c=plot/obj/%.o)
RENDER_LIB  := plot/obj/librender.a
RENDER_LIBS := $(CAIRO_LIBS) -lm

RENDER_UNIT_TESTS := plot/obj/test_render_axis plot/obj/test_render_decimate \
                     plot/obj/test_render_layout
UNIT_TESTS += $(RENDER_UNIT_TESTS)
CHECK_PROGRAMS += $(RENDER_UNIT_TESTS) tests/test_render_e2e.sh
CHECK_DEPS += plot/leakplot

all: $(RENDER_LIB)

# cairo's headers; a static pattern rule wins over plot.mk's plot/obj/%.o.
$(RENDER_OBJS): plot/obj/%.o: plot/%.c | plot/obj
	$(CC) $(ALL_CFLAGS) $(CAIRO_CFLAGS) $(ZLIB_CFLAGS) -c $< -o $@

$(RENDER_LIB): $(RENDER_OBJS)
	rm -f $@
	ar rcs $@ $^

# A test may include the .c it tests (UNIT_TESTING) to reach static parts.
$(RENDER_UNIT_TESTS): plot/obj/%: tests/%.c $(RENDER_LIB) $(PLOT_LIB) | plot/obj
	$(CC) $(ALL_CFLAGS) -DUNIT_TESTING -Iplot $(CMOCKA_CFLAGS) $(CAIRO_CFLAGS) \
	    -DSOURCE_DIR=\"$(CURDIR)\" $< -o $@ $(RENDER_LIB) $(PLOT_LIB) $(CMOCKA_LIBS) \
	    $(RENDER_LIBS) $(PLOT_LIBS) $(LDFLAGS)

# ---- the drawing benchmark (matplotlib recipe vs leakplot) -------------------
# The recipe needs matplotlib (Debian python3-matplotlib, for /usr/bin/python3);
# without it the script times leakplot alone.
.PHONY: bench-render
bench-render: plot/leakplot
	tests/bench/render_bench.sh

# ---- make demo: a leaking service under the agent, drawn ---------------------
DEMO_OUT ?= tests/out/demo
.PHONY: demo
demo: all pyagent-ext
	PYTHON=$(PYTHON) contrib/demo/run_demo.sh $(DEMO_OUT)

# leakplot links the renderer (plot.mk's link line names $(RENDER_LIB));
# the prerequisite is here because plot.mk is read before this file.
plot/leakplot: $(RENDER_LIB)
