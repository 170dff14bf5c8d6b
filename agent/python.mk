# agent/python.mk: the CPython extension leakagent._leakagent, its Python
# package, `make install` into site-packages, and the integration tests.
#
# The extension is built for $(PYTHON) from that interpreter's sysconfig
# (include dir, EXT_SUFFIX, platlib).  Extensions for several interpreters
# coexist in agent/python/leakagent/ because their EXT_SUFFIX differ; objects
# go to agent/obj/py/<include dir>/ so that two interpreters of one ABI
# (Debian's 3.11 and pyenv's 3.11) never share objects.
#
# `make check` runs the integration tests under every CPython >= 3.11 found:
# $(PYTHON) alone when PYTHON is given on the command line, else $(PYTHON)
# plus pyenv's 3.11+ (PYTHONS overrides the list).

# ---- settings -------------------------------------------------------------
PYENV_ROOT_DIR := $(shell pyenv root 2>/dev/null)
ifeq ($(origin PYTHON),command line)
PYTHONS ?= $(PYTHON)
else
PYTHONS ?= $(PYTHON) $(wildcard $(PYENV_ROOT_DIR)/versions/3.1[1-9]*/bin/python3)
endif

# include dir, EXT_SUFFIX, platlib of $(PYTHON), in one interpreter start.
PYAGENT_SYSCONFIG := $(shell $(PYTHON) -c 'import sysconfig as s; \
    print(s.get_paths()["include"], s.get_config_var("EXT_SUFFIX"), s.get_paths()["platlib"])' \
    2>/dev/null)
PY_INCLUDE    := $(word 1,$(PYAGENT_SYSCONFIG))
PY_EXT_SUFFIX := $(word 2,$(PYAGENT_SYSCONFIG))
PY_PLATLIB    := $(word 3,$(PYAGENT_SYSCONFIG))

PYAGENT_PKG    := agent/python/leakagent
PYAGENT_SRCS   := $(wildcard agent/python/pyagent_*.c)
PYAGENT_OBJDIR := agent/obj/py/$(subst /,_,$(PY_INCLUDE))
PYAGENT_OBJS   := $(PYAGENT_SRCS:agent/python/%.c=$(PYAGENT_OBJDIR)/%.o)
PYAGENT_SO     := $(PYAGENT_PKG)/_leakagent$(PY_EXT_SUFFIX)
PYAGENT_PY     := $(wildcard $(PYAGENT_PKG)/*.py)
PYAGENT_PTH    := agent/python/leakagent-autostart.pth

# Relink when the interpreter behind this EXT_SUFFIX changed (same ABI tag,
# other headers): the stamp holds the include dir it was last built for.
PYAGENT_STAMP := agent/obj/py/built-for$(PY_EXT_SUFFIX).txt
ifneq ($(PY_INCLUDE),)
$(shell mkdir -p agent/obj/py && { [ "`cat $(PYAGENT_STAMP) 2>/dev/null`" = "$(PY_INCLUDE)" ] || \
    echo "$(PY_INCLUDE)" > $(PYAGENT_STAMP); })
endif

# ---- the extension ----------------------------------------------------------
.PHONY: pyagent-ext pyagent-ext-all install-python uninstall-python

all: pyagent-ext

pyagent-ext: $(PYAGENT_SO)

$(PYAGENT_OBJDIR):
	mkdir -p $@

# Only PyInit__leakagent is exported; the core's objects are hidden too (its
# LA_API symbols by --exclude-libs, as they are linked in from the archive).
$(PYAGENT_OBJDIR)/%.o: agent/python/%.c | $(PYAGENT_OBJDIR)
	@test -n "$(PY_INCLUDE)" || { echo "$(PYTHON): no sysconfig (is it a CPython?)" >&2; exit 1; }
	$(CC) $(ALL_CFLAGS) -fvisibility=hidden -Iagent -I$(PY_INCLUDE) -c $< -o $@

# An extension cannot be linked with -z defs: its Py* symbols come from the
# interpreter that loads it (linking libpython instead would load a second
# interpreter into a statically linked python3, as Debian's is).  So the
# interpreter loads what was linked, resolving every symbol at once
# (RTLD_NOW): a library missing from the link fails here, and the file is
# deleted (.DELETE_ON_ERROR).  Not under a sanitizer: its runtime must be
# loaded first, which the sanitized tests arrange with LD_PRELOAD.
PYAGENT_LOAD_CHECK = $(PYTHON) -c 'import importlib.util as u, os, sys; \
    sys.setdlopenflags(os.RTLD_NOW); \
    u.module_from_spec(u.spec_from_file_location("leakagent._leakagent", sys.argv[1]))'

$(PYAGENT_SO): $(PYAGENT_OBJS) $(AGENT_LIB) $(PYAGENT_STAMP)
	$(CC) -shared -fvisibility=hidden -Wl,--exclude-libs,libleakagent.a $(SAN_FLAGS) \
	    -o $@ $(PYAGENT_OBJS) $(AGENT_LIB) $(AGENT_LIBS) $(LDFLAGS)
	$(if $(SAN_FLAGS),,$(PYAGENT_LOAD_CHECK) $@)

# The extension for every interpreter in $(PYTHONS) (for `make check`), one
# after the other and after the one for $(PYTHON), which may share its objects.
pyagent-ext-all: $(AGENT_LIB) pyagent-ext
	@for py in $$(tests/python/find_pythons.sh $(PYTHONS)); do \
	    $(MAKE) --no-print-directory PYTHON=$$py pyagent-ext || exit 1; \
	done

# ---- install ----------------------------------------------------------------
# The package, the extension for $(PYTHON) and the autostart .pth into a
# site-packages directory of $(PYTHON), under $(DESTDIR); the directory is
# asked of $(PYTHON) when the rule runs (agent/python/install_dir.py):
#   make install PYTHON=/usr/bin/python3      its own site-packages (Debian:
#                                             /usr/local/lib/python3.11/dist-packages)
#   make install PYTHON=venv/bin/python       the venv's
#   make install PREFIX=/usr DESTDIR=pkg/     the one under PREFIX/lib it
#                                             searches, else PREFIX/lib/pythonX.Y/site-packages
#   make install PYTHON_SITE=DIR              DIR
# and says where it went.  PREFIX moves the package only when given (on the
# command line or in the environment), as with pip install --prefix.  A
# leakagent-$(LA_VERSION).dist-info (contrib/contrib.mk has the version)
# registers the pytest plugin.
PYAGENT_SITE = $(PYTHON) agent/python/install_dir.py \
    $(if $(PYTHON_SITE),--site '$(PYTHON_SITE)',$(if $(filter command line environment,$(origin PREFIX)),--prefix '$(PREFIX)'))

install: install-python

install-python: $(PYAGENT_SO)
	@site=`$(PYAGENT_SITE)` && test -n "$$site" || { echo "$(PYTHON): cannot tell its site-packages" >&2; exit 1; }; \
	set -e; d='$(DESTDIR)'"$$site"; set -x; \
	install -d "$$d/leakagent"; \
	install -m 644 $(PYAGENT_PY) "$$d/leakagent/"; \
	install -m 755 $(PYAGENT_SO) "$$d/leakagent/"; \
	install -m 644 $(PYAGENT_PTH) "$$d/leakagent-autostart.pth"; \
	$(PYTHON) agent/python/install_dir.py --dist-info "$$d" --version '$(LA_VERSION)'; \
	{ set +x; } 2>/dev/null; $(PYTHON) agent/python/install_dir.py --report "$$site" --destdir '$(DESTDIR)'

# Removes what install-python put there (and the bytecode Python made of it),
# given the same PYTHON, PREFIX, PYTHON_SITE and DESTDIR.
uninstall: uninstall-python

uninstall-python:
	@site=`$(PYAGENT_SITE)` && test -n "$$site" || { echo "$(PYTHON): cannot tell its site-packages" >&2; exit 1; }; \
	set -e; d='$(DESTDIR)'"$$site"; set -x; \
	rm -f "$$d/leakagent-autostart.pth"; \
	rm -f $(foreach f,$(notdir $(PYAGENT_PY) $(PYAGENT_SO)),"$$d/leakagent/$(f)"); \
	rm -rf "$$d/leakagent/__pycache__" "$$d/leakagent-$(LA_VERSION).dist-info"; \
	rmdir "$$d/leakagent" 2>/dev/null || true

# ---- tests --------------------------------------------------------------------
# The type-count table is plain C: a cmocka test like the core's.
tests/obj/test_pyagent_count: tests/python/test_pyagent_count.c agent/python/pyagent_count.c \
                              | tests/obj
	$(CC) $(ALL_CFLAGS) -Iagent/python $(CMOCKA_CFLAGS) $< agent/python/pyagent_count.c -o $@ \
	    -Wl,--wrap=calloc \
	    $(CMOCKA_LIBS) $(LDFLAGS)

# python -m leakagent attach (tests/python/test_attach.py) runs gdb.
DEB_PACKAGES   += gdb
# So are the heap of the longest containers and its pointer map.
tests/obj/test_pyagent_top: tests/python/test_pyagent_top.c agent/python/pyagent_top.c | tests/obj
	$(CC) $(ALL_CFLAGS) -Iagent/python $(CMOCKA_CFLAGS) $< agent/python/pyagent_top.c -o $@ \
	    $(CMOCKA_LIBS) $(LDFLAGS)

UNIT_TESTS     += tests/obj/test_pyagent_count tests/obj/test_pyagent_top
CHECK_PROGRAMS += tests/obj/test_pyagent_count tests/obj/test_pyagent_top
CHECK_DEPS     += pyagent-ext-all
CHECK_PROGRAMS += 'tests/python/run_integration.sh $(PYTHONS)'

CLEAN_FILES += $(PYAGENT_PKG)/_leakagent*.so $(PYAGENT_PKG)/__pycache__ \
               tests/python/__pycache__

# ---- bench ----------------------------------------------------------------------
.PHONY: bench-python

bench-python: pyagent-ext
	PYTHONPATH=agent/python $(PYTHON) tests/python/bench_walk.py
