/* la_agent: the native-program front end of libleakagent: a registry of
 * counters that is the sampler's source (see la_agent.h). */
#include "la_agent.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "smp.h"

struct la_counter {
    la_counter *next;
    _Atomic int64_t value;
    char name[];
};

struct la_agent {
    pthread_mutex_t mu;      /* guards the list (not the values) */
    la_counter *counters;    /* guarded by mu; newest first */
    smp_sampler *sampler;    /* NULL when the config disables the agent */
};

/* smp_source.sample: copy every counter into the snapshot.  Negative
 * values (more frees than allocations counted) are written as 0. */
static int sample_counters(void *ud, snapshot *snap, la_error *err)
{
    la_agent *agent = ud;
    int rc = SMP_OK;
    pthread_mutex_lock(&agent->mu);
    for (la_counter *c = agent->counters; c != NULL && rc == SMP_OK; c = c->next) {
        int64_t v = atomic_load_explicit(&c->value, memory_order_relaxed);
        if (snap_add(snap, c->name, strlen(c->name), v > 0 ? (uint64_t)v : 0) != 0)
            rc = la_error_set(err, "out of memory copying counters");
    }
    pthread_mutex_unlock(&agent->mu);
    return rc;
}

la_agent *la_agent_start(const char *config_path, const char *program, la_error *err)
{
    la_agent *agent = calloc(1, sizeof *agent);
    cfg_config cfg;
    bool have_cfg = false;
    if (agent == NULL) {
        la_error_set(err, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&agent->mu, NULL);
    if (cfg_init(&cfg) != 0) {
        la_error_set(err, "out of memory");
        goto fail;
    }
    have_cfg = true;
    if (config_path && cfg_load_file(&cfg, config_path, err) != 0)
        goto fail;
    if (cfg.enabled) {
        smp_options opt = {
            .cfg = &cfg,
            .source = {.ud = agent, .sample = sample_counters},
            .program = program,
        };
        agent->sampler = smp_create(&opt, err);
        if (agent->sampler == NULL || smp_start(agent->sampler, err) != 0)
            goto fail;
    }
    cfg_free(&cfg);
    return agent;
fail:
    if (have_cfg)
        cfg_free(&cfg);
    smp_destroy(agent->sampler);
    pthread_mutex_destroy(&agent->mu);
    free(agent);
    return NULL;
}

la_counter *la_counter_add(la_agent *agent, const char *type_name)
{
    pthread_mutex_lock(&agent->mu);
    la_counter *c = agent->counters;
    while (c != NULL && strcmp(c->name, type_name) != 0)
        c = c->next;
    if (c == NULL) {
        size_t len = strlen(type_name);
        c = malloc(sizeof *c + len + 1);
        if (c != NULL) {
            memcpy(c->name, type_name, len + 1);
            atomic_init(&c->value, 0);
            c->next = agent->counters;
            agent->counters = c;
        }
    }
    pthread_mutex_unlock(&agent->mu);
    return c;
}

void la_counter_adjust(la_counter *counter, int64_t delta)
{
    atomic_fetch_add_explicit(&counter->value, delta, memory_order_relaxed);
}

void la_counter_set(la_counter *counter, int64_t value)
{
    atomic_store_explicit(&counter->value, value, memory_order_relaxed);
}

int la_agent_sample_now(la_agent *agent, la_error *err)
{
    if (agent->sampler == NULL)
        return la_error_set(err, "the agent is disabled (enabled: false)");
    return smp_sample_now(agent->sampler, err) == SMP_OK ? 0 : -1;
}

void la_agent_stop(la_agent *agent)
{
    if (agent == NULL)
        return;
    smp_destroy(agent->sampler);   /* joins the thread first */
    la_counter *c = agent->counters;
    while (c != NULL) {
        la_counter *next = c->next;
        free(c);
        c = next;
    }
    pthread_mutex_destroy(&agent->mu);
    free(agent);
}
