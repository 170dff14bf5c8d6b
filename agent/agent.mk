# agent/agent.mk: libleakagent, the agent's core in C (no Python).
# Objects go to agent/obj/ (PIC, so the Python extension can link them in).

AGENT_SRCS := agent/la_error.c agent/la_file.c agent/cfg.c agent/cfg_keys.c agent/cfg_yaml.c agent/cfg_value.c agent/cfg_path.c \
              agent/snap.c agent/logfmt.c agent/rlog.c agent/rlog_gzip.c agent/chain_pick.c \
              agent/smp.c agent/la_clock.c agent/la_proc.c agent/prom.c agent/la_agent.c agent/gauge.c
AGENT_OBJS := $(AGENT_SRCS:agent/%.c=agent/obj/%.o)
AGENT_LIB  := agent/obj/libleakagent.a
AGENT_SONAME := libleakagent.so.0
AGENT_SO   := agent/obj/$(AGENT_SONAME)
AGENT_LIBS := $(YAML_LIBS) $(ZLIB_LIBS) -lpthread -lm
LIBDIR     ?= $(PREFIX)/lib

all: $(AGENT_LIB) $(AGENT_SO)

agent/obj/%.o: agent/%.c | agent/obj
	$(CC) $(ALL_CFLAGS) -fvisibility=hidden $(YAML_CFLAGS) $(ZLIB_CFLAGS) -c $< -o $@

$(AGENT_LIB): $(AGENT_OBJS)
	rm -f $@
	ar rcs $@ $^

# The shared library, from the same PIC objects: only the declarations marked
# LA_API in the headers (agent/la_api.h) are exported.  -z defs: a library
# missing from the link line fails the link, instead of leaving a .so that
# fails whoever loads it.
$(AGENT_SO): $(AGENT_OBJS)
	$(CC) -shared -Wl,-z,defs -Wl,-soname,$(AGENT_SONAME) $(SAN_FLAGS) -o $@ $^ $(AGENT_LIBS) $(LDFLAGS)

agent/obj:
	mkdir -p $@

# `make install`: both libraries into $(DESTDIR)$(LIBDIR), with the
# libleakagent.so link the linker looks for.  (Headers and leakagent.pc:
# contrib/contrib.mk.)
.PHONY: install-lib uninstall-lib
install: install-lib
uninstall: uninstall-lib

install-lib: $(AGENT_LIB) $(AGENT_SO)
	install -d '$(DESTDIR)$(LIBDIR)'
	install -m 644 $(AGENT_LIB) '$(DESTDIR)$(LIBDIR)/libleakagent.a'
	install -m 755 $(AGENT_SO) '$(DESTDIR)$(LIBDIR)/$(AGENT_SONAME)'
	ln -sf $(AGENT_SONAME) '$(DESTDIR)$(LIBDIR)/libleakagent.so'
	@if [ -z '$(DESTDIR)' ] && command -v ldconfig >/dev/null; then ldconfig || true; fi

uninstall-lib:
	rm -f '$(DESTDIR)$(LIBDIR)/libleakagent.a' '$(DESTDIR)$(LIBDIR)/$(AGENT_SONAME)' \
	      '$(DESTDIR)$(LIBDIR)/libleakagent.so'
