# agent/agent.mk: libleakagent, the agent's core in C (no Python).
# Objects go to agent/obj/ (PIC, so the Python extension can link them in).

AGENT_SRCS := agent/la_error.c agent/cfg.c agent/cfg_value.c agent/cfg_path.c \
              agent/snap.c agent/logfmt.c agent/rlog.c agent/rlog_gzip.c \
              agent/smp.c agent/smp_clock.c agent/prom.c
AGENT_OBJS := $(AGENT_SRCS:agent/%.c=agent/obj/%.o)
AGENT_LIB  := agent/obj/libleakagent.a
AGENT_LIBS := $(YAML_LIBS) $(ZLIB_LIBS) -lpthread -lm

all: $(AGENT_LIB)

agent/obj/%.o: agent/%.c | agent/obj
	$(CC) $(ALL_CFLAGS) -fvisibility=hidden $(YAML_CFLAGS) $(ZLIB_CFLAGS) -c $< -o $@

$(AGENT_LIB): $(AGENT_OBJS)
	rm -f $@
	ar rcs $@ $^

agent/obj:
	mkdir -p $@
