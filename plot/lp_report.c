/* lp_report: text, JSON and --explain output of a detect_report. */
#include "lp_report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lp_chains.h"
#include "lp_kinds.h"
#include "lp_text.h"

/* " pid 31337 on web-1", " pid 7", " on web-1" or " in LOG". */
static void where(FILE *out, const lp_run *run)
{
    char text[4400];
    fprintf(out, " %s", lp_text_where(text, sizeof text, run));
}

char *lp_report_rate(char *out, size_t size, const detect_result *r)
{
    /* of today's count: how soon it doubles is what a person acts on */
    double per_day = r->last > 0 ? r->st.slope * 86400 / r->last : 0;
    double days = per_day > 0 ? 1 / per_day : INFINITY;
    char when[40], pct[40];
    if (!(per_day > 0)) {
        snprintf(out, size, "not rising");
        return out;
    }
    double v = days < 1 ? per_day * 100 / 24 : per_day * 100;
    if (v >= 10)
        lp_text_number(pct, sizeof pct, round(v));
    else
        snprintf(pct, sizeof pct, "%.2g", v);
    if (days < 1)
        snprintf(out, size, "+%s%%/h, doubles in ~%s", pct,
                 lp_text_span(when, sizeof when, days * 86400));
    else if (days < 730)
        snprintf(out, size, "+%s%%/day, doubles in ~%.0f day%s", pct, days,
                 days < 1.5 ? "" : "s");
    else
        snprintf(out, size, "+%s%%/day, doubles in ~%.0f years", pct, days / 365);
    return out;
}

static const char *verdict_word(detect_verdict v);

char *lp_report_chain_line(char *out, size_t size, const lp_chain *c, size_t max_cols)
{
    out[0] = '\0';
    char *text = lp_chain_text(c);
    size_t len = text ? strlen(text) : 0;
    char *clean = text ? malloc(3 * len + 1) : NULL;   /* a bad byte: 3 bytes */
    if (clean != NULL)
        lp_chain_fit(out, size, lp_text_clean(clean, 3 * len + 1, text), max_cols);
    free(clean);
    free(text);
    return out;
}

/* The "  held by: ..." lines under a finding's line: its best chains,
 * each cut to LP_REPORT_WIDTH columns. */
static void held_by_lines(FILE *out, const lp_series_store *s, const detect_finding *f)
{
    const lp_chain_entry *e[LP_REPORT_CHAINS];
    size_t n = lp_chains_for(s->chains, s, f->col, f->run, e, LP_REPORT_CHAINS);
    for (size_t i = 0; i < n; i++) {
        char line[4 * LP_REPORT_WIDTH + 8];
        fprintf(out, "  %s\n", lp_report_chain_line(line, sizeof line, e[i]->chain,
                                                    LP_REPORT_WIDTH - 2));
    }
}

/* A result's verdict; `growing` alone (a result built by hand) counts. */
static detect_verdict kind_of(const detect_result *r)
{
    return r->growing ? DETECT_GROWING : r->verdict;
}

void lp_report_lines(FILE *out, const lp_series_store *s, const detect_report *d, detect_verdict v)
{
    for (size_t i = 0; i < d->n_items; i++) {
        const detect_result *r = &d->items[i].r;
        if (kind_of(r) != v)
            continue;
        char first[40], last[40], rate[40], span[40], words[80];
        fprintf(out, "%s ", verdict_word(v));
        lp_text_write(out, s->cols[d->items[i].col].name, false);
        fprintf(out, " %s -> %s", lp_text_number(first, sizeof first, r->first),
                lp_text_number(last, sizeof last, r->last));
        if (v == DETECT_HELD)
            fprintf(out, ", not released for %s",
                    lp_text_span(span, sizeof span, r->t_last - r->whole.knee));
        else
            fprintf(out, " (+%s/h over %s", lp_text_number(rate, sizeof rate, r->st.slope * 3600),
                    lp_text_span(span, sizeof span, r->t_last - r->t_first));
        if (v == DETECT_GROWING)
            fprintf(out, "; %s", lp_report_rate(words, sizeof words, r));
        if (v == DETECT_GROWING && r->runs > 1)
            fprintf(out, "; in %zu runs", r->runs);
        if (v != DETECT_HELD)
            fputc(')', out);
        where(out, &s->runs[d->items[i].run]);
        if (v == DETECT_RISING && strchr(r->reason, '('))    /* "rising (why)" */
            fprintf(out, " %s", strchr(r->reason, '('));
        fputc('\n', out);
        held_by_lines(out, s, &d->items[i]);
    }
}

void lp_report_text(FILE *out, const lp_series_store *s, const detect_report *d)
{
    lp_report_lines(out, s, d, DETECT_GROWING);
}

static void json_string(FILE *out, const char *text)
{
    if (text == NULL) {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    lp_text_write(out, text, true);
    fputc('"', out);
}

static void json_number(FILE *out, double v)
{
    if (isfinite(v))
        fprintf(out, "%.17g", v);
    else
        fputs("null", out);
}

static void json_list(FILE *out, const lp_series_store *s, const detect_report *d, const char *key,
                      detect_verdict v);

static void json_root(FILE *out, const lp_chain *c)
{
    static const char *const kinds[] = {
        [LP_ROOT_GLOBAL] = "global", [LP_ROOT_CLASS] = "class", [LP_ROOT_FRAME] = "frame",
        [LP_ROOT_EXTERNAL] = "external", [LP_ROOT_DEPTH] = "depth",
        [LP_ROOT_UNKNOWN] = "unknown",
    };
    fprintf(out, "{\"kind\": \"%s\", \"field\": ", kinds[c->root_kind]);
    json_string(out, c->root.p);
    if (c->root_kind == LP_ROOT_GLOBAL || c->root_kind == LP_ROOT_CLASS) {
        fputs(", \"name\": ", out);
        json_string(out, c->root_name.p);
    } else if (c->root_kind == LP_ROOT_FRAME) {
        /* the thread, function and variable are pieces of the field: copies */
        const lp_span parts[] = {c->thread, c->function, c->variable};
        static const char *const keys[] = {"thread", "function", "variable"};
        for (size_t i = 0; i < 3; i++) {
            char *piece = strndup(parts[i].p, parts[i].len);
            fprintf(out, ", \"%s\": ", keys[i]);
            json_string(out, piece ? piece : "");
            free(piece);
        }
    } else if (c->root_kind == LP_ROOT_EXTERNAL) {
        fprintf(out, ", \"excess\": %llu", (unsigned long long)c->excess);
    }
    fputc('}', out);
}

/* ", \"chains\": [...]": every chain kept for the finding, whole. */
static void json_chains(FILE *out, const lp_series_store *s, const detect_finding *f)
{
    const lp_chain_entry *e[LP_CHAINS_PER_SET];
    size_t n = lp_chains_for(s->chains, s, f->col, f->run, e, LP_CHAINS_PER_SET);
    fputs(", \"chains\": [", out);
    for (size_t i = 0; i < n; i++) {
        const lp_chain *c = e[i]->chain;
        fprintf(out, "%s{\"type\": ", i ? ", " : "");
        json_string(out, c->type.p);
        fputs(", \"why\": ", out);
        json_string(out, c->why.p);
        fprintf(out, ", \"k\": %llu, \"n\": %llu, \"last_seen\": ", (unsigned long long)c->k,
                (unsigned long long)c->n);
        json_number(out, e[i]->last_time);
        fprintf(out, ", \"snapshots\": %zu, \"root\": ", e[i]->snapshots);
        json_root(out, c);
        fputs(", \"hops\": [", out);
        for (size_t h = 0; h < c->n_hops; h++) {
            fprintf(out, "%s{\"type\": ", h ? ", " : "");
            json_string(out, c->hops[h].type.p);
            fputs(", \"address\": ", out);
            json_string(out, c->hops[h].address.p);
            fputs(", \"edge\": ", out);
            json_string(out, c->hops[h].edge.p);
            fputc('}', out);
        }
        fputs("], \"text\": ", out);
        char *text = lp_chain_text(c);
        json_string(out, text ? text : "");
        free(text);
        fputc('}', out);
    }
    fputc(']', out);
}

void lp_report_json(FILE *out, const lp_series_store *s, const detect_report *d,
                 const lp_read_stats *st, double since, double until)
{
    fprintf(out, "{\n  \"version\": 1,\n  \"since\": ");
    json_number(out, since);
    fprintf(out, ",\n  \"until\": ");
    json_number(out, until);
    fprintf(out, ",\n  \"files\": %zu,\n  \"snapshots\": %zu,\n  \"bad_lines\": %zu,\n"
                 "  \"runs_judged\": %zu,\n  \"series_judged\": %zu,\n  \"z_threshold\": ",
            st->files, st->snapshots, st->bad_lines, d->n_runs, d->n_items);
    json_number(out, d->z_crit);
    static const struct { const char *key; detect_verdict v; } lists[] = {
        {"growing", DETECT_GROWING}, {"rising", DETECT_RISING}, {"held", DETECT_HELD},
    };
    for (size_t k = 0; k < sizeof lists / sizeof lists[0]; k++)
        json_list(out, s, d, lists[k].key, lists[k].v);
    fputs("\n}\n", out);
}

/* ",\n  \"key\": [...]" with the findings of verdict v. */
static void json_list(FILE *out, const lp_series_store *s, const detect_report *d, const char *key,
                      detect_verdict v)
{
    fprintf(out, ",\n  \"%s\": [", key);
    size_t n = 0;
    for (size_t i = 0; i < d->n_items; i++) {
        const detect_result *r = &d->items[i].r;
        if (kind_of(r) != v)
            continue;
        const lp_run *run = &s->runs[d->items[i].run];
        const lp_column *c = &s->cols[d->items[i].col];
        fprintf(out, "%s\n    {\"name\": ", n++ ? "," : "");
        json_string(out, c->name);
        fprintf(out, ", \"kind\": \"%s\", \"pid\": ", lp_kinds[c->kind].json);
        if (run->pid >= 0)
            fprintf(out, "%ld", run->pid);
        else
            fputs("null", out);
        fputs(", \"host\": ", out);
        json_string(out, run->host);
        fputs(", \"program\": ", out);
        json_string(out, run->program);
        fputs(", \"log\": ", out);
        json_string(out, run->source);
        const struct { const char *key; double v; } fields[] = {
            {"first", r->first}, {"last", r->last}, {"rate_per_hour", r->st.slope * 3600},
            {"start", r->t_first}, {"end", r->t_last}, {"span_seconds", r->t_last - r->t_first},
            {"snapshots", (double)r->n}, {"growth", r->st.growth},
            {"relative_growth", r->st.rel}, {"z", r->st.z},
            {"relative_per_day", r->last > 0 ? r->st.slope * 86400 / r->last : NAN},
            {"runs", (double)r->runs},
            {"held_since", v == DETECT_HELD ? r->whole.knee : NAN},
        };
        for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
            fprintf(out, ", \"%s\": ", fields[f].key);
            json_number(out, fields[f].v);
        }
        json_chains(out, s, &d->items[i]);
        fputc('}', out);
    }
    fprintf(out, "%s]", n ? "\n  " : "");
}

/* The word a verdict's line starts with. */
static const char *verdict_word(detect_verdict v)
{
    return v == DETECT_GROWING ? "GROWING" : v == DETECT_RISING ? "RISING"
         : v == DETECT_HELD ? "HELD" : "ok";
}

void lp_report_explain(FILE *out, const lp_series_store *s, const detect_report *d)
{
    fprintf(out, "leakplot: %zu series judged, z threshold %.2f\n", d->n_items, d->z_crit);
    for (size_t i = 0; i < d->n_items; i++) {
        const detect_result *r = &d->items[i].r;
        /* which load the figures were judged under: its swing taken out,
         * a steady one that excused no slowing, or the run as it was */
        const char *load = r->st.loaded ? "taken-out" : r->whole.steady ? "steady" : "-";
        fprintf(out, "%-9s %s pid %ld: n=%zu z=%.2f growth=%.4g rel=%.3f snr=%.1f "
                     "week=%.3f recent=%.2f step=%.2f fall=%.2f decay=%.2f/%.2f level=%.4g period=%.1f "
                     "stretch=%s load=%s runs=%zu (%s)\n",
                verdict_word(r->verdict), s->cols[d->items[i].col].name,
                s->runs[d->items[i].run].pid, r->n, r->st.z, r->st.growth, r->st.rel,
                r->st.snr, r->st.week, r->st.recent, r->st.step, r->st.fall, r->st.decay,
                r->whole.decay, r->st.level,
                r->st.period, r->late_half ? "late" : "whole", load, r->runs, r->reason);
    }
}
