/* la_agent: libleakagent for native programs.  A C (or C++, Rust, ...)
 * program registers a counter per type of its own, keeps it current, and
 * gets the same sampler thread, log format, rotation and Prometheus textfile
 * as a Python process:
 *
 *     la_agent *agent = la_agent_start("leakagent.yaml", "myserver", &err);
 *     la_counter *conns = la_counter_add(agent, "myserver.Connection");
 *     la_counter_adjust(conns, +1);    ... on accept
 *     la_counter_adjust(conns, -1);    ... on close
 *     la_agent_stop(agent);
 *
 * Counters are updated with atomic operations and take no lock, so they
 * may be adjusted from any thread, as often as objects are made.  The
 * registry of counters is guarded by its own mutex, held by the sampler only
 * while it copies the names and values. */
#ifndef LA_AGENT_H
#define LA_AGENT_H

#include <stdint.h>

#include "la_api.h"
#include "la_error.h"

typedef struct la_agent la_agent;
typedef struct la_counter la_counter;

/* Load config_path (NULL: the defaults) and start the sampler thread, unless
 * the config says `enabled: false` (counters then still work, nothing is
 * written).  program names the process in the log (NULL: /proc comm).
 * Returns NULL with err set ("FILE:LINE:COLUMN: ..." for a bad config). */
LA_API la_agent *la_agent_start(const char *config_path, const char *program, la_error *err);

/* The counter for type_name, registered on first use (later calls with the
 * same name return the same counter).  NULL when out of memory.  Counters
 * live as long as the agent. */
LA_API la_counter *la_counter_add(la_agent *agent, const char *type_name);

/* Add delta (may be negative) to the counter; any thread, lock-free. */
LA_API void la_counter_adjust(la_counter *counter, int64_t delta);

/* Set the counter to value; any thread, lock-free. */
LA_API void la_counter_set(la_counter *counter, int64_t value);

/* Write one snapshot now, on the calling thread.  0, or -1 with err set
 * (disabled agent: -1, "the agent is disabled"). */
LA_API int la_agent_sample_now(la_agent *agent, la_error *err);

/* Stop the thread (a snapshot in progress finishes), close the log, free
 * the agent and its counters.  agent may be NULL. */
LA_API void la_agent_stop(la_agent *agent);

#endif
