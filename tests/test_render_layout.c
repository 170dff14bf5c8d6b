/* test_render_layout: the layout stage on a store built in memory: page
 * count, growing panels first, then gauges, then the largest types in
 * order, --top, runs sharing a panel with a legend, the trend line, gaps
 * as NaN, geometry inside the page, names shortened in the middle, and
 * the "held by" lines of referrer chains under page 1's verdict rows. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "detect.h"
#include "layout.h"
#include "lp_chains.h"
#include "lp_series.h"

#define LONG_NAME "myapp.handlers.very_long_module_name.subpackage.ConnectionRecordWithAVeryLongName"
#define N_FLAT 26

/* Fixed-width text: 0.6 em per code point. */
static double fake_measure(void *ud, const char *text, double size, bool bold)
{
    (void)ud;
    (void)bold;
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        n += (*p & 0xC0) != 0x80;
    return 0.6 * size * (double)n;
}

typedef struct fixture {
    lp_series_store *s;
    detect_report d;
    detect_params p;
} fixture;

static void put(lp_series_store *s, const char *name, lp_kind kind, double v)
{
    lp_error err;
    long c = lp_series_intern(s, name, strlen(name), lp_series_hash(name, strlen(name)), kind,
                              &err);
    assert_true(c >= 0);
    if (kind == LP_GAUGE)
        assert_int_equal(lp_series_put_gauge(s, (uint32_t)c, v, &err), 0);
    else
        assert_int_equal(lp_series_put_count(s, (uint32_t)c, (uint64_t)v, &err), 0);
}

/* Two runs of one process (a restart); LONG_NAME leaks in both; flat.A ..
 * flat.Z are flat at 1000 x (1 + k), flat.A has a gap in run 2. */
static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    lp_error err;
    f->s = lp_series_new();
    assert_non_null(f->s);
    unsigned seed = 1;
    double t = 1763700000;
    for (int r = 0; r < 2; r++) {
        long run = lp_series_add_run(f->s, r + 1, "web-1", "consumer", "test.log", &err);
        assert_true(run >= 0);
        for (int i = 0; i < (r ? 400 : 200); i++) {
            t += 60;
            assert_int_equal(lp_series_add_row(f->s, t, (uint32_t)run, &err), 0);
            seed = seed * 1103515245 + 12345;
            double noise = (double)(seed >> 16 & 0xff);
            put(f->s, "[rss]", LP_GAUGE, 50e6 + noise * 1000);
            put(f->s, "[blocks]", LP_GAUGE, 4e5 + noise);
            put(f->s, LONG_NAME, LP_TYPE, 1000 + 10 * i + noise);
            for (int k = 0; k < N_FLAT; k++) {
                char name[16] = "flat.A";
                name[5] = (char)('A' + k);
                if (k == 0 && r == 1 && i >= 100 && i < 150)
                    continue;
                put(f->s, name, LP_TYPE, 1000.0 * (1 + k) + (noise > 128 ? 5 : 0));
            }
        }
    }
    assert_int_equal(lp_series_finish(f->s, &err), 0);
    detect_defaults(&f->p);
    assert_int_equal(detect_store(f->s, &f->p, -INFINITY, INFINITY, NULL, NULL, &f->d, &err), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    detect_report_free(&f->d);
    lp_series_free(f->s);
    free(f);
    return 0;
}

static int build(fixture *f, long top, layout_doc *doc)
{
    static char log[] = "test.log";
    static char *logs[] = {log};
    lp_read_stats st = {.files = 1, .snapshots = 600, .lines = 20000};
    layout_input in = {
        .store = f->s, .report = &f->d, .stats = &st, .params = &f->p,
        .since = -INFINITY, .until = INFINITY, .top = top,
        .logs = logs, .n_logs = 1, .measure = fake_measure,
    };
    lp_error err;
    int rc = layout_build(&in, doc, &err);
    if (rc != 0)
        fprintf(stderr, "layout_build: %s\n", err.msg);
    return rc;
}

static void test_order_and_pages(void **state)
{
    fixture *f = *state;
    layout_doc doc;
    assert_true(f->d.n_growing >= 1);
    assert_int_equal(build(f, 24, &doc), 0);
    /* growing first */
    assert_true(doc.panels[0].growing);
    assert_int_equal(doc.panels[0].kind, LAYOUT_GROWING);
    assert_string_equal(f->s->cols[doc.panels[0].col].name, LONG_NAME);
    size_t i = 1;
    while (i < doc.n_panels && doc.panels[i].kind == LAYOUT_GROWING)
        i++;
    /* then the gauges, rss first */
    assert_int_equal(doc.panels[i].kind, LAYOUT_GAUGE);
    assert_string_equal(f->s->cols[doc.panels[i].col].name, "[rss]");
    assert_string_equal(f->s->cols[doc.panels[i + 1].col].name, "[blocks]");
    i += 2;
    /* then the largest other types, largest first: flat.Z, flat.Y, ... */
    assert_int_equal(doc.panels[i].kind, LAYOUT_TOP);
    assert_string_equal(f->s->cols[doc.panels[i].col].name, "flat.Z");
    assert_string_equal(f->s->cols[doc.panels[i + 1].col].name, "flat.Y");
    assert_int_equal(doc.n_panels - i, 24);
    /* pages: page 1 takes layout_page1_slots, then 12 a page */
    size_t first = layout_page1_slots(f->d.n_growing, 0), per = 12;
    size_t want = 1 + (doc.n_panels - first + per - 1) / per;
    assert_int_equal(doc.n_pages, want);
    assert_true(doc.pages[0].summary);
    size_t next = 0;
    for (size_t pg = 0; pg < doc.n_pages; pg++) {
        assert_int_equal(doc.pages[pg].first, next);
        assert_true(doc.pages[pg].n <= (pg ? per : first));
        next += doc.pages[pg].n;
        if (pg)
            assert_non_null(strstr(doc.pages[pg].header, "page"));
    }
    assert_int_equal(next, doc.n_panels);
    layout_free(&doc);

    assert_int_equal(build(f, 3, &doc), 0);
    size_t tops = 0;
    for (size_t k = 0; k < doc.n_panels; k++)
        tops += doc.panels[k].kind == LAYOUT_TOP;
    assert_int_equal(tops, 3);
    assert_int_equal(doc.n_pages, 1);
    layout_free(&doc);
}

static void add_chain(lp_series_store *s, uint32_t run, const char *line)
{
    static lp_hop hops[LP_CHAIN_MAX_HOPS];
    lp_chain c;
    lp_error err;
    assert_int_equal(lp_chain_parse(line, line + strlen(line), &c, hops), 1);
    assert_int_equal(lp_chains_add(s->chains, run, 1763700000, &c, &err), 0);
}

static void test_held_by_rows(void **state)
{
    fixture *f = *state;
    f->s->chains = lp_chains_new();
    assert_non_null(f->s->chains);
    char line[2048];
    add_chain(f->s, 1, "#CHAIN " LONG_NAME " auto 3/3 global:__main__.BROKER "
                       "myapp.Conn@0x7f3a1c2b4d10:.channels[<int>]");
    /* a chain far wider than the page, of 30 hops */
    int o = snprintf(line, sizeof line, "#CHAIN " LONG_NAME " auto 1/3 global:__main__.ROOT");
    for (int k = 0; k < 30; k++)
        o += snprintf(line + o, sizeof line - (size_t)o, " myapp.handlers.Node%d@0x%x:.next_node", k,
                      k + 1);
    add_chain(f->s, 1, line);
    layout_doc doc;
    assert_int_equal(build(f, 24, &doc), 0);
    const layout_summary *sum = &doc.summary;
    assert_string_equal(sum->rows[0].chains[0],
                        "held by: myapp.Conn.channels[<int>] <- __main__.BROKER");
    assert_int_equal(sum->rows[0].n_chains, 2);
    /* cut around an ellipsis to the page, the root kept */
    const char *wide = sum->rows[0].chains[1];
    assert_non_null(strstr(wide, "\xe2\x80\xa6"));
    assert_non_null(strstr(wide, "<- __main__.ROOT"));
    assert_true(fake_measure(NULL, wide, LAYOUT_FONT_TEXT - 1, false) <=
                doc.page_w - 2 * 28 - LAYOUT_CHAIN_INDENT);
    /* page 1's panels start below the last line of the table */
    size_t lines = 0;
    for (size_t i = 0; i < sum->n_rows; i++)
        lines += 2 + sum->rows[i].n_chains;
    assert_int_equal(lines, 2 * sum->n_rows + 2);
    assert_int_equal(doc.pages[0].n, layout_page1_slots(sum->n_rows, 2) < doc.n_panels
                                         ? layout_page1_slots(sum->n_rows, 2) : doc.n_panels);
    assert_true(doc.panels[0].box.y > sum->y_table + (double)lines * sum->row_h);
    layout_free(&doc);
}

static void test_growing_panel(void **state)
{
    fixture *f = *state;
    layout_doc doc;
    assert_int_equal(build(f, 24, &doc), 0);
    const layout_panel *p = &doc.panels[0];
    assert_int_equal(p->n_lines, 2);                  /* two runs share it */
    assert_string_equal(p->lines[0].label, "pid 1");
    assert_string_equal(p->lines[1].label, "pid 2");
    assert_false(p->lines[0].growing);                /* the restart ended run 1 */
    assert_true(p->lines[1].growing);
    assert_int_equal(p->lines[1].color, 0);
    assert_true(p->lines[1].has_trend);
    assert_true(p->lines[1].trend_v1 > p->lines[1].trend_v0);
    assert_true(p->rate[0] == '+' && strstr(p->rate, "/h") != NULL);
    assert_true(strlen(p->last) >= 5 && strchr(p->last, ',') != NULL);  /* "4,990" */
    /* the title is shortened in the middle, keeping both ends */
    assert_non_null(strstr(p->title, "\xe2\x80\xa6"));
    assert_true(strncmp(p->title, "myapp.", 6) == 0);
    assert_true(strstr(p->title, "Name") != NULL);
    /* the verdict */
    assert_non_null(strstr(doc.summary.verdict, "growing"));
    assert_true(doc.summary.n_rows >= 1);
    assert_non_null(strstr(doc.summary.rows[0].where, "pid 2 on web-1"));
    layout_free(&doc);
}

static void test_gaps_and_geometry(void **state)
{
    fixture *f = *state;
    layout_doc doc;
    assert_int_equal(build(f, 30, &doc), 0);
    bool found = false;
    for (size_t i = 0; i < doc.n_panels; i++) {
        const layout_panel *p = &doc.panels[i];
        /* inside the page, the plot inside its cell, y ticks inside the range */
        assert_true(p->box.x >= 0 && p->box.x + p->box.w <= doc.page_w + 1e-9);
        assert_true(p->box.y >= 0 && p->box.y + p->box.h <= doc.page_h + 1e-9);
        assert_true(p->plot.x > p->box.x && p->plot.x + p->plot.w < p->box.x + p->box.w);
        assert_true(p->plot.y > p->box.y && p->plot.y + p->plot.h < p->box.y + p->box.h);
        assert_true(p->y.n >= 2);
        for (size_t k = 0; k < p->y.n; k++)
            assert_true(p->y.tick[k].pos >= p->y.lo && p->y.tick[k].pos <= p->y.hi);
        assert_true(p->x.lo == doc.t0 && p->x.hi == doc.t1);
        /* at most a few points per point of width */
        for (size_t k = 0; k < p->n_lines; k++)
            assert_true(p->lines[k].n <= 3 * 2 * (size_t)p->plot.w + 1);
        if (strcmp(f->s->cols[p->col].name, "flat.A") == 0) {
            const layout_line *l = &p->lines[1];
            for (size_t k = 0; k < l->n; k++)
                found |= isnan(l->v[k]);
        }
    }
    assert_true(found);                                /* the gap lifts the pen */
    /* cells of one page never overlap */
    for (size_t pg = 0; pg < doc.n_pages; pg++)
        for (size_t a = doc.pages[pg].first; a < doc.pages[pg].first + doc.pages[pg].n; a++)
            for (size_t b = a + 1; b < doc.pages[pg].first + doc.pages[pg].n; b++) {
                const layout_rect *x = &doc.panels[a].box, *y = &doc.panels[b].box;
                assert_true(x->x + x->w <= y->x + 1e-9 || y->x + y->w <= x->x + 1e-9 ||
                            x->y + x->h <= y->y + 1e-9 || y->y + y->h <= x->y + 1e-9);
            }
    /* rss in MB */
    for (size_t i = 0; i < doc.n_panels; i++)
        if (strcmp(f->s->cols[doc.panels[i].col].name, "[rss]") == 0) {
            assert_non_null(strstr(doc.panels[i].last, "MB"));
            assert_true(doc.panels[i].y.hi < 100);
        }
    layout_free(&doc);
}

static void test_shorten(void **state)
{
    (void)state;
    char out[64];
    /* fits: unchanged */
    assert_string_equal(layout_shorten(out, sizeof out, "dict", 100, 10, false, fake_measure,
                                       NULL), "dict");
    /* 60 points at 6 per code point: 10 code points, ellipsis included */
    layout_shorten(out, sizeof out, "amqplib.client_0_8.Message", 60, 10, false, fake_measure,
                   NULL);
    assert_true(fake_measure(NULL, out, 10, false) <= 60);
    assert_true(fake_measure(NULL, out, 10, false) >= 54);       /* no waste */
    assert_non_null(strstr(out, "\xe2\x80\xa6"));
    assert_true(strncmp(out, "amq", 3) == 0);
    assert_true(strcmp(out + strlen(out) - 4, "sage") == 0);     /* more of the end */
    /* UTF-8 names are cut at code points; bad bytes become U+FFFD, as in
     * --check (lp_text), and controls '?' */
    layout_shorten(out, sizeof out, "\xc3\xa9t\xc3\xa9.\xc3\xa9l\xc3\xa9ments.Caf\xc3\xa9s", 48,
                   10, false, fake_measure, NULL);
    assert_true(fake_measure(NULL, out, 10, false) <= 48);
    for (const unsigned char *p = (const unsigned char *)out; *p; p++)
        if (*p >= 0xC0)
            assert_true((p[1] & 0xC0) == 0x80);
    assert_string_equal(layout_shorten(out, sizeof out, "a\xff\x01z", 100, 10, false,
                                       fake_measure, NULL), "a\xef\xbf\xbd?z");
    /* a tiny output buffer still gets a valid string */
    char small[12];
    layout_shorten(small, sizeof small, LONG_NAME, 1000, 10, false, fake_measure, NULL);
    assert_true(strlen(small) < sizeof small);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_order_and_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_growing_panel, setup, teardown),
        cmocka_unit_test_setup_teardown(test_held_by_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gaps_and_geometry, setup, teardown),
        cmocka_unit_test(test_shorten),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
