/* decimate: min/max buckets.  See decimate.h. */
#include "decimate.h"

#include <math.h>

size_t decimate_capacity(size_t n, size_t buckets)
{
    size_t most = 3 * buckets + 1;  /* min, max and a gap marker per slice */
    return n < most ? (n ? n : 1) : most;
}

/* One slice being collected. */
typedef struct slice {
    size_t present;
    double tmin, vmin, tmax, vmax;
    int gap;                        /* saw a NaN */
} slice;

/* Append the slice's points; a slice without values becomes one NaN (not
 * two NaN in a row). */
static size_t flush(const slice *b, double *ot, double *ov, size_t m)
{
    if (b->present == 0) {
        if (b->gap && (m == 0 || !isnan(ov[m - 1]))) {
            ot[m] = b->tmin;
            ov[m++] = NAN;
        }
        return m;
    }
    int min_first = b->tmin <= b->tmax;
    ot[m] = min_first ? b->tmin : b->tmax;
    ov[m++] = min_first ? b->vmin : b->vmax;
    if (b->tmin != b->tmax) {
        ot[m] = min_first ? b->tmax : b->tmin;
        ov[m++] = min_first ? b->vmax : b->vmin;
    }
    return m;
}

size_t decimate_minmax(const double *t, const double *v, size_t n, double t0,
                       double t1, size_t buckets, double *ot, double *ov)
{
    size_t m = 0;
    if (n <= 2 * buckets || !(t1 > t0) || buckets == 0) {
        for (size_t i = 0; i < n; i++)
            if (t[i] >= t0 && t[i] <= t1) {
                ot[m] = t[i];
                ov[m++] = v[i];
            }
        return m;
    }
    double per = (double)buckets / (t1 - t0);
    size_t cur = (size_t)-1;
    slice b = {0};
    for (size_t i = 0; i < n; i++) {
        if (t[i] < t0 || t[i] > t1)
            continue;
        size_t k = (size_t)((t[i] - t0) * per);
        if (k >= buckets)
            k = buckets - 1;
        if (k != cur) {
            if (cur != (size_t)-1)
                m = flush(&b, ot, ov, m);
            cur = k;
            b = (slice){.tmin = t[i]};
        }
        if (isnan(v[i])) {
            b.gap = 1;
            continue;
        }
        if (b.present == 0 || v[i] < b.vmin) {
            b.vmin = v[i];
            b.tmin = t[i];
        }
        if (b.present == 0 || v[i] > b.vmax) {
            b.vmax = v[i];
            b.tmax = t[i];
        }
        b.present++;
    }
    if (cur != (size_t)-1)
        m = flush(&b, ot, ov, m);
    return m;
}
