# leakagent / leakplot: top-level build.
#
# Settings first; each directory adds its own rules through a fragment
# (agent/agent.mk, plot/plot.mk, tests/tests.mk) so that modules stay apart.
# Every library comes from pkg-config; PYTHON picks the interpreter the
# extension is built for (its sysconfig supplies the include path and suffix).
#
# `make deps TARGET...` in one call on a fresh machine: pkg-config's flags
# and Python's sysconfig are read when make reads its makefiles, before any
# rule has run.  So when `deps` is asked for, the packages are installed
# while the makefiles are read (as the rule of an included makefile), and
# make then starts over and reads them again, now with the packages there.

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
ALL_CFLAGS = $(NEED_PKGS) -std=gnu11 $(OPT) $(WARNINGS) -D_GNU_SOURCE -fPIC -MMD -MP \
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

# A compile without these fails with a message that says what to do, not
# with "cairo-pdf.h: No such file" (NEED_PKGS is expanded by the recipes).
PKG_MODULES   := yaml-0.1 zlib cairo cmocka
PKGS_MISSING  := $(shell for m in $(PKG_MODULES); do \
                   $(PKG_CONFIG) --exists $$m 2>/dev/null || echo $$m; done)
NEED_PKGS      = $(if $(PKGS_MISSING),$(error pkg-config does not find $(PKGS_MISSING): \
                   run 'make deps' first (Debian 12, as root), or install their -dev packages))

# Debian packages `make deps` installs (DESIGN.md, Dependencies): what the
# build, the demo and `make check` need.  Fragments add theirs; what only
# `make hardening` needs is in HARDENING_PACKAGES (tests/hardening.mk).
DEB_PACKAGES := gcc make pkg-config libyaml-dev libcairo2-dev zlib1g-dev \
                python3-dev libcmocka-dev python3 poppler-utils \
                fonts-dejavu-core python3-objgraph mawk python3-matplotlib \
                python3-prometheus-client man-db groff-base

# ---- targets --------------------------------------------------------------
.PHONY: all deps check clean bench install uninstall demo hardening graph FORCE
all:

# A recipe that fails removes its half-made target: a link that failed
# must not leave a file that counts as up to date.
.DELETE_ON_ERROR:

# The packages go in while make reads its makefiles (see the top): the
# included file DEPS_DONE is remade by installing them, which makes make
# start over (MAKE_RESTARTS is then set, and no rule remakes it again).
DEPS_DONE := tests/out/deps-done.mk
ifneq ($(filter deps,$(MAKECMDGOALS)),)
ifeq ($(MAKE_RESTARTS),)
include $(DEPS_DONE)
endif
endif
$(DEPS_DONE): FORCE
	tests/install_packages.sh $(sort $(DEB_PACKAGES))
	@mkdir -p $(@D) && echo '# make deps ran: $(shell date -u +%FT%TZ)' >$@

deps:
	@test -n "$(MAKE_RESTARTS)" || tests/install_packages.sh $(sort $(DEB_PACKAGES))

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

# Who includes whom (tests/include_graph.sh).
.PHONY: graph
graph:
	@tests/include_graph.sh

clean:
	rm -rf agent/obj plot/obj tests/obj $(CLEAN_FILES)

-include $(shell find agent plot tests -name '*.d' 2>/dev/null)
