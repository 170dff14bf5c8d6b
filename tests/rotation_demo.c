/* rotation_demo: a short program that links the agent's core with a fake
 * source, writes N snapshots through the sampler into a log that rotates
 * into .gz files, and writes the snapshots it expects, formatted here
 * independently of logfmt, to EXPECTED.  tests/rotation_demo.sh then checks
 * with zcat that the files, concatenated, hold exactly those snapshots.
 *
 * usage: rotation_demo DIR N EXPECTED */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smp.h"

#define TYPES 40

typedef struct demo_source {
    int tick;
} demo_source;

/* A leaking type, a steady one, and a long tail; the counts depend only on
 * the tick, so the expected text can be rebuilt. */
static uint64_t count_of(int tick, int type)
{
    if (type == 0)
        return 100000 + (uint64_t)tick * 37;
    return (uint64_t)(5000 / (type + 1)) + (uint64_t)((tick * 7 + type) % 5);
}

static int demo_sample(void *ud, snapshot *snap, la_error *err)
{
    demo_source *src = ud;
    char name[64];
    for (int t = 0; t < TYPES; t++) {
        int n = snprintf(name, sizeof name, t == 0 ? "demo.Leak" : "demo.Type%02d", t);
        if (snap_add(snap, name, (size_t)n, count_of(src->tick, t)) != 0)
            return la_error_set(err, "out of memory");
    }
    snap_set_gauge(snap, "sample_ms", 1.5);
    src->tick++;
    return SMP_OK;
}

static double fixed_wall(void *ud)
{
    demo_source *src = ud;
    return 1763700000.0 + 60.0 * src->tick;
}

static int64_t mono(void *ud)
{
    (void)ud;
    return 0;
}

static void no_wait(void *ud, pthread_cond_t *cv, pthread_mutex_t *mu, int64_t deadline)
{
    (void)ud, (void)cv, (void)mu, (void)deadline;
}

/* Expected text of snapshot `tick`: sorted by count, then by name. */
static void write_expected(FILE *out, int tick)
{
    int order[TYPES];
    for (int t = 0; t < TYPES; t++)
        order[t] = t;
    for (int i = 1; i < TYPES; i++)
        for (int j = i; j > 0; j--) {
            uint64_t a = count_of(tick, order[j - 1]), b = count_of(tick, order[j]);
            if (a > b || (a == b && order[j - 1] < order[j]))
                break;
            int tmp = order[j];
            order[j] = order[j - 1];
            order[j - 1] = tmp;
        }
    fprintf(out, "#START %.3f pid=%ld sample_ms=1.5\n", 1763700000.0 + 60.0 * (tick + 1), (long)getpid());
    for (int i = 0; i < TYPES; i++) {
        int t = order[i];
        if (t == 0)
            fprintf(out, "demo.Leak %llu\n", (unsigned long long)count_of(tick, t));
        else
            fprintf(out, "demo.Type%02d %llu\n", t, (unsigned long long)count_of(tick, t));
    }
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: rotation_demo DIR N EXPECTED\n");
        return 2;
    }
    int n = atoi(argv[2]);
    char path[4096];
    snprintf(path, sizeof path, "%s/most_common.log", argv[1]);
    cfg_config cfg;
    la_error err;
    if (cfg_init(&cfg) != 0 || cfg_set(&cfg, "log.path", path, &err) != 0 ||
        cfg_set(&cfg, "log.max_size", "4KB", &err) != 0 || cfg_set(&cfg, "log.keep", "1000", &err) != 0) {
        fprintf(stderr, "rotation_demo: %s\n", err.msg);
        return 1;
    }
    const char *gauges[] = {"sample_ms"};
    cfg_set_list(&cfg, "gauges", gauges, 1, &err);
    demo_source src = {0};
    la_clock clock = {&src, fixed_wall, mono, no_wait, NULL};
    smp_options opt = {.cfg = &cfg, .source = {.ud = &src, .sample = demo_sample}, .clock = &clock, .program = "rotation_demo"};
    smp_sampler *s = smp_create(&opt, &err);
    FILE *expected = fopen(argv[3], "w");
    if (s == NULL || expected == NULL) {
        fprintf(stderr, "rotation_demo: %s\n", s ? argv[3] : err.msg);
        return 1;
    }
    for (int i = 0; i < n; i++) {
        if (smp_sample_now(s, &err) != SMP_OK) {
            fprintf(stderr, "rotation_demo: %s\n", err.msg);
            return 1;
        }
        write_expected(expected, i);
    }
    smp_stats st;
    smp_get_stats(s, &st);
    printf("wrote %llu snapshots, %llu rotations, %llu bytes\n", (unsigned long long)st.snapshots,
           (unsigned long long)st.rotations, (unsigned long long)st.bytes_written);
    smp_destroy(s);
    cfg_free(&cfg);
    return fclose(expected) == 0 ? 0 : 1;
}
