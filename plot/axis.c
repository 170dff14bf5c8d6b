/* axis: value ticks (1-2-2.5-5 steps, k/M/G labels) and calendar time
 * ticks from a table.  See axis.h. */
#include "axis.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lp_text.h"

/* ---- values ---------------------------------------------------------------- */

double axis_nice_step(double lo, double hi, int max_ticks, bool integral)
{
    static const double mult[] = {1, 2, 2.5, 5, 10};
    double raw = (hi - lo) / (max_ticks > 0 ? max_ticks : 1);
    double mag = pow(10, floor(log10(raw)));
    double step = 10 * mag;
    for (size_t i = 0; i < sizeof mult / sizeof mult[0]; i++) {
        if (mult[i] == 2.5 && integral && mag < 10)
            continue;                       /* 2.5 objects is not a count */
        if (mult[i] * mag >= raw * (1 - 1e-9)) {
            step = mult[i] * mag;
            break;
        }
    }
    return integral && step < 1 ? 1 : step;
}

/* Decimals that show multiples of s exactly (at most 6). */
static int decimals_for(double s)
{
    int d = 0;
    while (d < 6) {
        double x = s * pow(10, d);
        if (fabs(x - round(x)) < 1e-6 * (x > 1 ? x : 1))
            break;
        d++;
    }
    return d;
}

char *axis_format_value(char *out, size_t size, double v, double step, double top)
{
    static const struct { double scale; const char *suffix; } suffixes[] = {
        {1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}, {1, ""},
    };
    size_t i = 0;
    top = fabs(top);
    while (suffixes[i].scale > 1 && top < suffixes[i].scale)
        i++;
    /* "2.915k" reads worse than "2,915": at most two decimals with a suffix */
    while (suffixes[i].scale > 1 && decimals_for(step / suffixes[i].scale) > 2)
        i++;
    double scale = suffixes[i].scale, s = step / scale;
    int decimals = decimals_for(s);
    double x = v / scale;
    if (fabs(x) < s * 1e-6)
        x = 0;                              /* no "-0" */
    int n = snprintf(out, size, "%.*f", decimals, x);
    if (decimals > 0 && n > 0 && (size_t)n < size) {
        while (n > 0 && out[n - 1] == '0')
            out[--n] = '\0';
        if (n > 0 && out[n - 1] == '.')
            out[--n] = '\0';
    }
    lp_text_group_thousands(out, size);
    if (x != 0 && strlen(out) + strlen(suffixes[i].suffix) < size)
        strcat(out, suffixes[i].suffix);
    return out;
}

int axis_values(double lo, double hi, double length, double min_gap, bool integral,
                axis_ticks *out)
{
    memset(out, 0, sizeof *out);
    if (!isfinite(lo) || !isfinite(hi) || lo > hi)
        return -1;
    if (hi - lo < fabs(hi) * 1e-9 || hi == lo) {   /* a flat line: centre it */
        double pad = integral ? 1 : lo == 0 ? 1 : fabs(lo) * 0.05;
        lo -= pad;
        hi += pad;
    } else {
        double pad = (hi - lo) * 0.05;
        lo -= pad;
        hi += pad;
    }
    if (integral && lo < 0 && lo + (hi - lo) * 0.05 >= 0)
        lo = lo < -0.5 ? lo : -0.5;         /* counts near zero: keep 0 visible */
    int max_ticks = min_gap > 0 ? (int)(length / min_gap) : 5;
    if (max_ticks < 2)
        max_ticks = 2;
    if (max_ticks > AXIS_MAX_TICKS - 1)
        max_ticks = AXIS_MAX_TICKS - 1;
    double step = axis_nice_step(lo, hi, max_ticks, integral);
    /* the suffix follows the smallest non-zero tick, so that no label reads
     * "0.2k": 200, 400 ... 1,000 instead */
    double top = INFINITY;
    for (double k = ceil(lo / step); k * step <= hi; k++)
        if (k != 0 && fabs(k * step) < top)
            top = fabs(k * step);
    if (!isfinite(top))
        top = fabs(lo) > fabs(hi) ? fabs(lo) : fabs(hi);
    out->lo = lo;
    out->hi = hi;
    out->step = step;
    for (double k = ceil(lo / step); k * step <= hi && out->n < AXIS_MAX_TICKS; k++) {
        axis_tick *t = &out->tick[out->n++];
        t->pos = k * step;
        t->major = true;
        axis_format_value(t->label, sizeof t->label, t->pos, step, top);
    }
    return 0;
}

/* ---- time ------------------------------------------------------------------ */

typedef enum time_unit { U_SEC, U_MIN, U_HOUR, U_DAY, U_WEEK, U_MONTH, U_YEAR } time_unit;

static const double unit_seconds[] = {
    [U_SEC] = 1, [U_MIN] = 60, [U_HOUR] = 3600, [U_DAY] = 86400,
    [U_WEEK] = 7 * 86400, [U_MONTH] = 30.44 * 86400, [U_YEAR] = 365.25 * 86400,
};

/* One row: labels every `count` units, grid lines every grid_count
 * grid units, labels formatted with fmt.  clock: the labels are clock
 * times, so a tick at midnight shows the date instead. */
typedef struct time_row {
    time_unit unit;
    int count;
    time_unit grid_unit;
    int grid_count;
    const char *fmt;
    bool clock;
} time_row;

static const time_row time_rows[] = {
    {U_SEC, 1, U_SEC, 1, "%H:%M:%S", true},
    {U_SEC, 5, U_SEC, 1, "%H:%M:%S", true},
    {U_SEC, 10, U_SEC, 5, "%H:%M:%S", true},
    {U_SEC, 15, U_SEC, 5, "%H:%M:%S", true},
    {U_SEC, 30, U_SEC, 10, "%H:%M:%S", true},
    {U_MIN, 1, U_SEC, 15, "%H:%M", true},
    {U_MIN, 2, U_SEC, 30, "%H:%M", true},
    {U_MIN, 5, U_MIN, 1, "%H:%M", true},
    {U_MIN, 10, U_MIN, 5, "%H:%M", true},
    {U_MIN, 15, U_MIN, 5, "%H:%M", true},
    {U_MIN, 30, U_MIN, 10, "%H:%M", true},
    {U_HOUR, 1, U_MIN, 15, "%H:%M", true},
    {U_HOUR, 2, U_MIN, 30, "%H:%M", true},
    {U_HOUR, 3, U_HOUR, 1, "%H:%M", true},
    {U_HOUR, 6, U_HOUR, 1, "%H:%M", true},
    {U_HOUR, 12, U_HOUR, 3, "%H:%M", true},
    {U_DAY, 1, U_HOUR, 6, "%b %d", false},
    {U_DAY, 2, U_HOUR, 12, "%b %d", false},
    {U_WEEK, 1, U_DAY, 1, "%b %d", false},
    {U_WEEK, 2, U_DAY, 1, "%b %d", false},
    {U_MONTH, 1, U_WEEK, 1, "%b %d", false},
    {U_MONTH, 3, U_MONTH, 1, "%b %Y", false},
    {U_MONTH, 6, U_MONTH, 1, "%b %Y", false},
    {U_YEAR, 1, U_MONTH, 3, "%Y", false},
    {U_YEAR, 5, U_YEAR, 1, "%Y", false},
};
#define N_TIME_ROWS (sizeof time_rows / sizeof time_rows[0])

/* The latest multiple of count units at or before t, in local time. */
static time_t floor_time(time_t t, time_unit u, int count)
{
    struct tm tm;
    localtime_r(&t, &tm);
    switch (u) {
    case U_SEC:
        tm.tm_sec -= tm.tm_sec % count;
        break;
    case U_MIN:
        tm.tm_sec = 0;
        tm.tm_min -= tm.tm_min % count;
        break;
    case U_HOUR:
        tm.tm_sec = tm.tm_min = 0;
        tm.tm_hour -= tm.tm_hour % count;
        break;
    case U_DAY:
        tm.tm_sec = tm.tm_min = tm.tm_hour = 0;
        tm.tm_mday -= (tm.tm_mday - 1) % count;
        break;
    case U_WEEK:                            /* back to Monday */
        tm.tm_sec = tm.tm_min = tm.tm_hour = 0;
        tm.tm_mday -= (tm.tm_wday + 6) % 7;
        break;
    case U_MONTH:
        tm.tm_sec = tm.tm_min = tm.tm_hour = 0;
        tm.tm_mday = 1;
        tm.tm_mon -= tm.tm_mon % count;
        break;
    case U_YEAR:
        tm.tm_sec = tm.tm_min = tm.tm_hour = 0;
        tm.tm_mday = 1;
        tm.tm_mon = 0;
        tm.tm_year -= (tm.tm_year + 1900) % count;
        break;
    }
    tm.tm_isdst = -1;
    return mktime(&tm);
}

/* t plus count units on the calendar; always later than t. */
static time_t step_time(time_t t, time_unit u, int count)
{
    if (u <= U_HOUR)
        return t + (time_t)(count * unit_seconds[u]);
    struct tm tm;
    localtime_r(&t, &tm);
    if (u == U_DAY)
        tm.tm_mday += count;
    else if (u == U_WEEK)
        tm.tm_mday += 7 * count;
    else if (u == U_MONTH)
        tm.tm_mon += count;
    else
        tm.tm_year += count;
    tm.tm_isdst = -1;
    time_t next = mktime(&tm);
    return next > t ? next : t + (time_t)(count * unit_seconds[u]);
}

static void time_label(char *out, size_t size, time_t t, const time_row *row)
{
    struct tm tm;
    localtime_r(&t, &tm);
    const char *fmt = row->fmt;
    if (row->clock && tm.tm_hour == 0 && tm.tm_min == 0 && tm.tm_sec == 0)
        fmt = "%b %d";
    if (strftime(out, size, fmt, &tm) == 0)
        out[0] = '\0';
}

/* Major ticks of row inside [t0, t1] into out (labels made).  False when
 * there would be too many. */
static bool time_majors(double t0, double t1, const time_row *row, axis_ticks *out)
{
    out->n = 0;
    if ((t1 - t0) / (row->count * unit_seconds[row->unit]) > AXIS_MAX_TICKS - 2)
        return false;
    for (time_t t = floor_time((time_t)floor(t0), row->unit, row->count); t <= t1;
         t = step_time(t, row->unit, row->count)) {
        if (t < t0)
            continue;
        if (out->n == AXIS_MAX_TICKS)
            return false;
        axis_tick *k = &out->tick[out->n++];
        k->pos = (double)t;
        k->major = true;
        time_label(k->label, sizeof k->label, t, row);
    }
    return true;
}

/* Whether neighbouring labels keep gap points apart. */
static bool labels_fit(const axis_ticks *ax, double t0, double t1, double length,
                       double size, double gap, axis_measure_fn measure, void *ud)
{
    double prev_right = -INFINITY;
    for (size_t i = 0; i < ax->n; i++) {
        double x = (ax->tick[i].pos - t0) / (t1 - t0) * length;
        double w = measure(ud, ax->tick[i].label, size, false);
        if (x - w / 2 < prev_right + gap)
            return false;
        prev_right = x + w / 2;
    }
    return true;
}

int axis_time(double t0, double t1, double length, double size, double gap,
              axis_measure_fn measure, void *ud, axis_ticks *out)
{
    memset(out, 0, sizeof *out);
    if (!isfinite(t0) || !isfinite(t1) || !(t0 < t1))
        return -1;
    const time_row *row = &time_rows[N_TIME_ROWS - 1];
    for (size_t i = 0; i < N_TIME_ROWS; i++) {
        if (time_majors(t0, t1, &time_rows[i], out) &&
            labels_fit(out, t0, t1, length, size, gap, measure, ud)) {
            row = &time_rows[i];
            break;
        }
    }
    time_majors(t0, t1, row, out);
    out->lo = t0;
    out->hi = t1;
    out->step = row->count * unit_seconds[row->unit];
    /* grid lines between the labels, unless there would be too many */
    double grid = row->grid_count * unit_seconds[row->grid_unit];
    if ((t1 - t0) / grid + (double)out->n >= AXIS_MAX_TICKS)
        return 0;
    size_t majors = out->n;
    for (time_t t = floor_time((time_t)floor(t0), row->grid_unit, row->grid_count);
         t <= t1 && out->n < AXIS_MAX_TICKS;
         t = step_time(t, row->grid_unit, row->grid_count)) {
        bool is_major = false;
        for (size_t i = 0; i < majors && !is_major; i++)
            is_major = fabs(out->tick[i].pos - (double)t) < 0.5;
        if (t < t0 || is_major)
            continue;
        axis_tick *k = &out->tick[out->n++];
        k->pos = (double)t;
        k->major = false;
        k->label[0] = '\0';
    }
    return 0;
}
