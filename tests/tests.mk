# tests/tests.mk: unit tests (cmocka, one file per module) and the `check`
# target.  Other fragments add their programs to UNIT_TESTS (built binaries)
# and CHECK_PROGRAMS (commands run by tests/run_tests.sh, in order).

AGENT_UNIT_TESTS := tests/obj/test_cfg tests/obj/test_snap tests/obj/test_logfmt \
                    tests/obj/test_rlog tests/obj/test_smp tests/obj/test_prom tests/obj/test_la_agent \
                    tests/obj/test_chain_pick
UNIT_TESTS += $(AGENT_UNIT_TESTS)
CHECK_PROGRAMS := $(AGENT_UNIT_TESTS) $(CHECK_PROGRAMS)

tests/obj:
	mkdir -p $@

# Each agent test links the library and may include the .c under test.
$(AGENT_UNIT_TESTS): tests/obj/%: tests/%.c tests/testutil.c $(AGENT_LIB) | tests/obj
	$(CC) $(ALL_CFLAGS) -Iagent -DSOURCE_DIR=\"$(CURDIR)\" $(CMOCKA_CFLAGS) $(YAML_CFLAGS) $< tests/testutil.c -o $@ \
	    $(AGENT_LIB) $(CMOCKA_LIBS) $(AGENT_LIBS) $(LDFLAGS)

tests/obj/rotation_demo: tests/rotation_demo.c $(AGENT_LIB) | tests/obj
	$(CC) $(ALL_CFLAGS) -Iagent $< -o $@ $(AGENT_LIB) $(AGENT_LIBS) $(LDFLAGS)
UNIT_TESTS += tests/obj/rotation_demo
CHECK_PROGRAMS += tests/rotation_demo.sh tests/test_prom_parse.sh tests/test_workers.sh tests/test_demo_chain.sh


# The C API's example program, built in tree against the static library.
tests/obj/conn_server: contrib/c-api/conn_server.c $(AGENT_LIB) | tests/obj
	$(CC) $(ALL_CFLAGS) -DLA_IN_TREE -Iagent $< -o $@ $(AGENT_LIB) $(AGENT_LIBS) $(LDFLAGS)
UNIT_TESTS += tests/obj/conn_server
CHECK_PROGRAMS += tests/test_c_api.sh
