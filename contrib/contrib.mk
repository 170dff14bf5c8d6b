# contrib/contrib.mk: the rest of `make install` / `make uninstall` (headers,
# leakagent.pc, man pages) and its test.  agent/agent.mk installs the
# libraries, plot/plot.mk leakplot, agent/python.mk the Python package.
#
#   make install [PREFIX=/usr/local] [DESTDIR=] [LIBDIR=$(PREFIX)/lib]
#   make uninstall   (same PREFIX/DESTDIR): removes exactly what install put

# ---- settings -------------------------------------------------------------
INCLUDEDIR   ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
MANDIR       ?= $(PREFIX)/share/man
LA_VERSION   := $(shell sed -n 's/^\#define LP_VERSION "\(.*\)"/\1/p' plot/lp_version.h)

# The C API (la_agent.h) and what it includes; the rest of agent/ is internal.
LA_HEADERS := agent/la_api.h agent/la_error.h agent/la_agent.h

.PHONY: print-installed-headers
print-installed-headers:
	@echo $(LA_HEADERS)
LA_PC      := agent/obj/leakagent.pc
MAN1_PAGES := contrib/man/leakplot.1
MAN5_PAGES := contrib/man/leakagent.yaml.5

# ---- install / uninstall ----------------------------------------------------
.PHONY: install-headers install-pc install-man uninstall-headers uninstall-pc \
        uninstall-man uninstall-leakplot FORCE
install: install-headers install-pc install-man
uninstall: uninstall-leakplot uninstall-headers uninstall-pc uninstall-man

install-headers:
	install -d '$(DESTDIR)$(INCLUDEDIR)/leakagent'
	install -m 644 $(LA_HEADERS) '$(DESTDIR)$(INCLUDEDIR)/leakagent/'

# Written at every install: it holds PREFIX/LIBDIR/INCLUDEDIR.  Headers are
# included as <leakagent/cfg.h>.
$(LA_PC): FORCE | agent/obj
	@printf '%s\n' \
	    'prefix=$(PREFIX)' \
	    'libdir=$(LIBDIR)' \
	    'includedir=$(INCLUDEDIR)' \
	    '' \
	    'Name: leakagent' \
	    'Description: core of the leakagent Python object-count sampler (config, sampler thread, rotating log)' \
	    'Version: $(LA_VERSION)' \
	    'Requires.private: yaml-0.1 zlib' \
	    'Cflags: -I$${includedir}' \
	    'Libs: -L$${libdir} -lleakagent' \
	    'Libs.private: -lyaml -lz -lpthread -lm' >$@

install-pc: $(LA_PC)
	install -d '$(DESTDIR)$(PKGCONFIGDIR)'
	install -m 644 $(LA_PC) '$(DESTDIR)$(PKGCONFIGDIR)/leakagent.pc'

install-man: $(MAN1_PAGES) $(MAN5_PAGES)
	install -d '$(DESTDIR)$(MANDIR)/man1' '$(DESTDIR)$(MANDIR)/man5'
	install -m 644 $(MAN1_PAGES) '$(DESTDIR)$(MANDIR)/man1/'
	install -m 644 $(MAN5_PAGES) '$(DESTDIR)$(MANDIR)/man5/'

uninstall-leakplot:
	rm -f '$(DESTDIR)$(PREFIX)/bin/leakplot'

uninstall-headers:
	rm -f $(foreach h,$(notdir $(LA_HEADERS)),'$(DESTDIR)$(INCLUDEDIR)/leakagent/$(h)')
	-rmdir '$(DESTDIR)$(INCLUDEDIR)/leakagent' 2>/dev/null

uninstall-pc:
	rm -f '$(DESTDIR)$(PKGCONFIGDIR)/leakagent.pc'

uninstall-man:
	rm -f $(foreach m,$(notdir $(MAN1_PAGES)),'$(DESTDIR)$(MANDIR)/man1/$(m)') \
	      $(foreach m,$(notdir $(MAN5_PAGES)),'$(DESTDIR)$(MANDIR)/man5/$(m)')

# ---- test ---------------------------------------------------------------------
# Installs into a temporary DESTDIR, uses what it installed, uninstalls; then
# the Python package for Debian's python3, a PREFIX, a venv of it.
CHECK_PROGRAMS += tests/test_install.sh tests/test_install_python.sh

# The real programs the contrib/ snippets are for, as Debian ships them, run
# by Debian's python3 (tests/programs/): gunicorn with
# contrib/gunicorn/gunicorn.conf.py, uWSGI with contrib/uwsgi/uwsgi.ini,
# node_exporter and Prometheus with contrib/prometheus/ (promtool checks and
# unit-tests the rules), pytest with the leakagent.pytest plugin that `make
# install` registers.  `make deps` installs them.
DEB_PACKAGES += gunicorn uwsgi-core uwsgi-plugin-python3 prometheus prometheus-node-exporter \
                python3-pytest
CHECK_PROGRAMS += '/usr/bin/python3 tests/programs/test_gunicorn.py' \
                  '/usr/bin/python3 tests/programs/test_uwsgi.py' \
                  '/usr/bin/python3 tests/programs/test_prometheus.py' \
                  '/usr/bin/python3 tests/programs/test_pytest.py'
