# leakagent / leakplot: top-level build.
#
# Settings first; each directory adds its own rules through a fragment
# (agent/agent.mk, plot/plot.mk, tests/tests.mk) so that modules stay apart.
# Every library comes from pkg-config; PYTHON picks the interpreter the
# extension is built for (its sysconfig supplies the include path and suffix).

# ---- settings -------------------------------------------------------------
CC        ?= gcc
PYTHON    ?= python3
PREFIX    ?= /usr/local
DESTDIR   ?=
PKG_CONFIG ?= pkg-config

WARNINGS  := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
             -Wmissing-prototypes -Wno-unused-parameter
OPT       ?= -O2 -g
CFLAGS    ?=
SAN_FLAGS ?=
ALL_CFLAGS = -std=gnu11 $(OPT) $(WARNINGS) -D_GNU_SOURCE -fPIC -MMD -MP \
             $(SAN_FLAGS) $(CFLAGS)
LDFLAGS   ?=

YAML_CFLAGS   := $(shell $(PKG_CONFIG) --cflags yaml-0.1 2>/dev/null)
YAML_LIBS     := $(shell $(PKG_CONFIG) --libs yaml-0.1 2>/dev/null)
ZLIB_CFLAGS   := $(shell $(PKG_CONFIG) --cflags zlib 2>/dev/null)
ZLIB_LIBS     := $(shell $(PKG_CONFIG) --libs zlib 2>/dev/null)
CAIRO_CFLAGS  := $(shell $(PKG_CONFIG) --cflags cairo 2>/dev/null)
CAIRO_LIBS    := $(shell $(PKG_CONFIG) --libs cairo 2>/dev/null)
CMOCKA_CFLAGS := $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)
CMOCKA_LIBS   := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)

# Debian packages `make deps` installs (DESIGN.md, Dependencies).
DEB_PACKAGES := gcc make pkg-config libyaml-dev libcairo2-dev zlib1g-dev \
                python3-dev libcmocka-dev python3 poppler-utils \
                fonts-dejavu-core python3-objgraph mawk python3-matplotlib \
                python3-prometheus-client man-db groff-base

# ---- targets --------------------------------------------------------------
.PHONY: all deps check clean bench install uninstall demo hardening
all:

deps:
	apt-get update -qq || true
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEB_PACKAGES)

include agent/agent.mk
-include plot/plot.mk
-include plot/render.mk
include tests/tests.mk
-include agent/python.mk
-include tests/bench/bench.mk
-include tests/hardening.mk
-include tests/fuzz/fuzz.mk
-include contrib/contrib.mk

# check runs every registered program and ends with "N passed, N failed".
check: all $(UNIT_TESTS) $(CHECK_DEPS)
	@tests/run_tests.sh $(CHECK_PROGRAMS)

clean:
	rm -rf agent/obj plot/obj tests/obj $(CLEAN_FILES)

-include $(shell find agent plot tests -name '*.d' 2>/dev/null)
