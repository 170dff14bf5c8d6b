/* conn_server: an example of libleakagent's C API (la_agent.h) in a native
 * program.  It simulates a server that accepts and closes connections and,
 * by mistake, never frees one buffer in twenty: the agent's log shows
 * example.Buffer growing while example.Connection stays level.
 *
 * Build against an installed libleakagent:
 *     cc conn_server.c $(pkg-config --cflags --libs leakagent) -o conn_server
 * Run:
 *     ./conn_server leakagent.yaml 400      # 400 ticks of 10 ms
 *     leakplot --check most_common.log */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#ifdef LA_IN_TREE
#include "la_agent.h"
#else
#include <leakagent/la_agent.h>
#endif

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: conn_server CONFIG TICKS\n");
        return 2;
    }
    la_error err;
    la_agent *agent = la_agent_start(argv[1], "conn_server", &err);
    if (agent == NULL) {
        fprintf(stderr, "conn_server: %s\n", err.msg);
        return 1;
    }
    la_counter *conns = la_counter_add(agent, "example.Connection");
    la_counter *buffers = la_counter_add(agent, "example.Buffer");
    if (conns == NULL || buffers == NULL) {
        fprintf(stderr, "conn_server: out of memory\n");
        la_agent_stop(agent);
        return 1;
    }
    int ticks = atoi(argv[2]);
    struct timespec tick = {0, 10 * 1000 * 1000};
    for (int t = 0; t < ticks; t++) {
        /* 100 connections open, each with a buffer... */
        la_counter_adjust(conns, 100);
        la_counter_adjust(buffers, 100);
        nanosleep(&tick, NULL);
        /* ...and closed, but 5 of the buffers are never freed. */
        la_counter_adjust(conns, -100);
        la_counter_adjust(buffers, -95);
        la_counter_set(la_counter_add(agent, "example.Pool"), 64);
    }
    la_agent_stop(agent);
    return 0;
}
