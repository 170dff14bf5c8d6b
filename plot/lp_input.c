/* lp_input: streamed reading and gzip inflation on a producer thread.
 *
 * Threading: one producer thread per open input runs producer(); it owns
 * fd, prefix, remaining, z, raw, trailer and carry.  A gzip file is read
 * LP_INPUT_RAW_CHUNK bytes at a time and inflated with zlib's inflate()
 * straight into the slot buffers (no stdio, no gzread copy); concatenated
 * gzip members are read in turn, as gzip -d does.  A plain file is read straight into the
 * slots.  `mu` guards slots[].full, finished and stop; a slot's bytes
 * belong to the producer while !full and to the consumer (lp_input_next's
 * caller) while full.  The producer writes damage and fatal before it sets
 * finished.  It blocks all signals, so they reach the main thread. */
#include "lp_input.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define GZ_SLOTS 3
#define GZ_MEMBERS 256               /* gzip members whose CRC is checked */

typedef struct gz_member_end {
    uint64_t end;        /* output offset where the member's text ends */
    uint32_t crc, isize; /* its trailer */
} gz_member_end;

typedef struct gz_slot {
    char *buf;
    size_t len;
    bool full;           /* guarded by mu */
} gz_slot;

struct lp_input {
    char *path;
    bool gzip;
    double max_ratio;    /* gzip bomb limit; 0: none */
    /* the producer's source */
    int fd;
    unsigned char prefix[2];  /* read to tell gzip, not yet handed on */
    size_t prefix_len;
    uint64_t remaining;  /* bytes the file may still give: a regular file
                            is read up to its size at open, not chased */
    z_stream z;
    bool z_ready;
    unsigned char *raw;  /* compressed bytes; z.next_in points into it */
    uint64_t raw_read;   /* compressed bytes read so far */
    unsigned char trailer[8];   /* the last 8 compressed bytes consumed */
    /* the ring */
    pthread_t thread;
    bool thread_started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    gz_slot slots[GZ_SLOTS];
    bool finished;       /* guarded by mu: producer filled its last slot */
    bool stop;           /* guarded by mu: consumer closes early */
    size_t head;         /* consumer: next slot to hand out */
    bool holding;        /* consumer: slots[head] is handed out */
    char *carry;         /* producer: the partial line after a block */
    size_t carry_len;
    char damage[200];    /* producer: the gzip stream was damaged */
    char fatal[sizeof ((lp_error *)0)->msg];   /* producer: reading failed */
    /* CRC check, off the inflating thread: the producer records where each
     * gzip member ends (n_ends guarded by mu, entries below it immutable),
     * the consumer runs the CRC over the text it is handed */
    uint64_t produced;   /* producer: text bytes made */
    gz_member_end ends[GZ_MEMBERS];
    size_t n_ends;
    uint64_t consumed;   /* consumer: text bytes handed out */
    size_t next_end;     /* consumer: first member end not yet checked */
    uint32_t crc;        /* consumer: CRC of the current member so far */
    uint64_t member_len; /* consumer: its length so far */
    char check_damage[120];   /* consumer's: a failed check */
};

/* Up to cap bytes of the file into buf: the sniffed prefix first, then
 * read(2).  Returns the bytes read, 0 at the end, -1 on an error (fatal
 * set). */
static ssize_t read_bytes(lp_input *in, void *buf, size_t cap)
{
    if (in->prefix_len > 0) {
        size_t n = in->prefix_len < cap ? in->prefix_len : cap;
        memcpy(buf, in->prefix, n);
        memmove(in->prefix, in->prefix + n, in->prefix_len - n);
        in->prefix_len -= n;
        return (ssize_t)n;
    }
    if (cap > in->remaining)
        cap = (size_t)in->remaining;
    for (;;) {
        ssize_t n = cap ? read(in->fd, buf, cap) : 0;
        if (n >= 0) {
            in->remaining -= (uint64_t)n;
            return n;
        }
        if (errno != EINTR) {
            snprintf(in->fatal, sizeof in->fatal, "%s: %s", in->path, strerror(errno));
            return -1;
        }
    }
}

/* Plain text into buf[0..cap): as much as the file gives.  Sets *eof at
 * its end (or on an error). */
static size_t read_some(lp_input *in, char *buf, size_t cap, bool *eof)
{
    size_t len = 0;
    while (len < cap) {
        ssize_t n = read_bytes(in, buf + len, cap - len);
        if (n <= 0) {
            *eof = true;
            break;
        }
        len += (size_t)n;
    }
    return len;
}

/* Make at least `need` compressed bytes available at z.next_in, unless
 * the file ends first.  Returns whether they are there. */
static bool refill(lp_input *in, size_t need)
{
    z_stream *z = &in->z;
    if (z->avail_in >= need)
        return true;                    /* no move: a file may hold 10^6 members */
    memmove(in->raw, z->next_in, z->avail_in);
    z->next_in = in->raw;
    while (z->avail_in < need) {
        ssize_t n = read_bytes(in, in->raw + z->avail_in, LP_INPUT_RAW_CHUNK - z->avail_in);
        if (n <= 0)
            return false;
        z->avail_in += (uInt)n;
        in->raw_read += (uint64_t)n;
    }
    return true;
}

/* Keep the last 8 bytes of the compressed stream consumed so far: the
 * trailer (CRC-32, length) when a member has just ended. */
static void remember_trailer(lp_input *in, const unsigned char *from, size_t n)
{
    if (n >= 8) {
        memcpy(in->trailer, from + n - 8, 8);
    } else {
        memmove(in->trailer, in->trailer + n, 8 - n);
        memcpy(in->trailer + 8 - n, from, n);
    }
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A gzip bomb: past LP_INPUT_RATIO_FROM bytes of text, more than max_ratio
 * times the compressed bytes it came from.  Sets fatal. */
static bool too_inflated(lp_input *in)
{
    uint64_t used = in->raw_read - in->z.avail_in;
    if (in->max_ratio <= 0 || in->produced < LP_INPUT_RATIO_FROM ||
        (double)in->produced <= in->max_ratio * (double)used)
        return false;
    snprintf(in->fatal, sizeof in->fatal,
             "%s: gzip data expands more than %g times (a gzip bomb?): stopped after "
             "%.0f MiB of text from %.0f KiB; --max-inflate raises the limit",
             in->path, in->max_ratio, (double)in->produced / (1 << 20), (double)used / 1024);
    return true;
}

/* A gzip member ended: record its trailer for the consumer's check. */
static void member_end(lp_input *in)
{
    pthread_mutex_lock(&in->mu);
    if (in->n_ends < GZ_MEMBERS)
        in->ends[in->n_ends++] = (gz_member_end){
            .end = in->produced, .crc = le32(in->trailer), .isize = le32(in->trailer + 4)};
    pthread_mutex_unlock(&in->mu);
}

/* Inflate into buf[0..cap); returns the bytes written, sets *eof at the
 * end of the data (damage noted in in->damage, errors in in->fatal). */
static size_t inflate_some(lp_input *in, char *buf, size_t cap, bool *eof)
{
    z_stream *z = &in->z;
    size_t len = 0;
    while (len < cap && !*eof) {
        if (z->avail_in == 0 && !refill(in, 1)) {
            if (!in->fatal[0])
                snprintf(in->damage, sizeof in->damage,
                         "damaged gzip data (unexpected end of file)");
            *eof = true;
            break;
        }
        z->next_out = (unsigned char *)buf + len;
        z->avail_out = (uInt)(cap - len);
        uInt before = z->avail_out;
        const unsigned char *from = z->next_in;
        int zrc = inflate(z, Z_NO_FLUSH);
        remember_trailer(in, from, (size_t)(z->next_in - from));
        size_t made = before - z->avail_out;
        len += made;
        in->produced += made;
        if (too_inflated(in)) {
            *eof = true;
        } else if (zrc == Z_STREAM_END) {
            member_end(in);
            /* another gzip member may follow (cat a.gz b.gz); anything
             * else after a member is ignored, as gzip -d does */
            if (refill(in, 2) && z->next_in[0] == 0x1f && z->next_in[1] == 0x8b &&
                inflateReset(z) == Z_OK)
                continue;
            *eof = true;
        } else if ((zrc != Z_OK && zrc != Z_BUF_ERROR) ||
                   (zrc == Z_BUF_ERROR && made == 0 && z->avail_in > 0)) {
            snprintf(in->damage, sizeof in->damage, "damaged gzip data (%s)",
                     z->msg ? z->msg : "inflate made no progress");
            *eof = true;
        }
    }
    return len;
}

/* Fill slot from carry + new text; cut it after the last '\n'.
 * Returns true at the end of the stream. */
static bool fill_slot(lp_input *in, gz_slot *slot)
{
    memcpy(slot->buf, in->carry, in->carry_len);
    size_t len = in->carry_len;
    in->carry_len = 0;
    bool eof = false;
    char *free_part = slot->buf + len;
    size_t room = LP_INPUT_BLOCK - len;
    len += in->gzip ? inflate_some(in, free_part, room, &eof) : read_some(in, free_part, room, &eof);
    if (!eof) {
        char *nl = memrchr(slot->buf, '\n', len);
        if (nl != NULL) {   /* else: a line longer than a block is cut */
            size_t keep = (size_t)(nl - slot->buf) + 1;
            in->carry_len = len - keep;
            memcpy(in->carry, slot->buf + keep, in->carry_len);
            len = keep;
        }
    }
    slot->len = len;
    return eof;
}

static void *producer(void *arg)
{
    lp_input *in = arg;
    for (size_t i = 0;; i = (i + 1) % GZ_SLOTS) {
        gz_slot *slot = &in->slots[i];
        pthread_mutex_lock(&in->mu);
        while (slot->full && !in->stop)
            pthread_cond_wait(&in->cv, &in->mu);
        bool stop = in->stop;
        pthread_mutex_unlock(&in->mu);
        if (stop)
            break;
        bool eof = fill_slot(in, slot);
        pthread_mutex_lock(&in->mu);
        slot->full = true;
        in->finished = eof;
        pthread_cond_broadcast(&in->cv);
        pthread_mutex_unlock(&in->mu);
        if (eof)
            break;
    }
    return NULL;
}

/* The first two bytes, to tell gzip by its magic; they stay in prefix
 * for the producer.  0, or -1 with err set. */
static int sniff(lp_input *in, lp_error *err)
{
    unsigned char magic[2];
    size_t n = 0;
    while (n < 2) {
        ssize_t got = read_bytes(in, magic + n, 2 - n);
        if (got < 0) {
            lp_error_set(err, "%s", in->fatal);
            return -1;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    memcpy(in->prefix, magic, n);
    in->prefix_len = n;
    in->gzip = n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    return 0;
}

/* Buffers, the inflater for gzip, and the producer thread.  0 or -1. */
static int start(lp_input *in, lp_error *err)
{
    in->carry = malloc(LP_INPUT_BLOCK);
    bool oom = in->carry == NULL;
    for (int i = 0; i < GZ_SLOTS; i++)
        oom |= (in->slots[i].buf = malloc(LP_INPUT_BLOCK)) == NULL;
    if (in->gzip)
        oom |= (in->raw = malloc(LP_INPUT_RAW_CHUNK)) == NULL;
    if (oom) {
        lp_error_set(err, "%s: out of memory", in->path);
        return -1;
    }
    if (in->gzip) {
        if (inflateInit2(&in->z, 15 + 16) != Z_OK) {   /* gzip wrapper only */
            lp_error_set(err, "%s: cannot start gzip reader", in->path);
            return -1;
        }
        in->z_ready = true;
        in->z.next_in = in->raw;
        /* zlib's own CRC would run on the inflating thread, the bottleneck;
         * check_text() runs it on the parsing thread, which has time to spare */
        inflateValidate(&in->z, 0);
    }
    pthread_mutex_init(&in->mu, NULL);
    pthread_cond_init(&in->cv, NULL);
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&in->thread, NULL, producer, in);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        pthread_mutex_destroy(&in->mu);
        pthread_cond_destroy(&in->cv);
        lp_error_set(err, "%s: cannot start reader thread: %s", in->path, strerror(rc));
        return -1;
    }
    in->thread_started = true;
    return 0;
}

lp_input *lp_input_open(const char *path, double max_ratio, lp_error *err)
{
    lp_input *in = calloc(1, sizeof *in);
    if (in == NULL || (in->path = strdup(path)) == NULL) {
        free(in);
        lp_error_set(err, "%s: out of memory", path);
        return NULL;
    }
    in->max_ratio = max_ratio;
    in->fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (in->fd < 0 || fstat(in->fd, &st) != 0) {
        lp_error_set(err, "%s: %s", path, strerror(errno));
        goto fail;
    }
    if (S_ISDIR(st.st_mode)) {
        lp_error_set(err, "%s: is a directory", path);
        goto fail;
    }
    /* a device (/dev/zero, a terminal) is no log and may never end */
    if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode)) {
        lp_error_set(err, "%s: not a regular file or a pipe", path);
        goto fail;
    }
    in->remaining = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : UINT64_MAX;
    if (sniff(in, err) != 0 || start(in, err) != 0)
        goto fail;
    return in;
fail:
    lp_input_close(in);
    return NULL;
}

/* Run the CRC over data[0..len), the next text handed out, checking
 * every member that ends inside it against its trailer.  n_ends: the
 * member ends recorded so far (read under mu). */
static void check_text(lp_input *in, const char *data, size_t len, size_t n_ends)
{
    uint64_t off = in->consumed;
    in->consumed += len;
    while (in->next_end < n_ends && in->ends[in->next_end].end <= off + len) {
        const gz_member_end *m = &in->ends[in->next_end++];
        size_t part = (size_t)(m->end - off);
        in->crc = (uint32_t)crc32_z(in->crc, (const unsigned char *)data, part);
        in->member_len += part;
        if (!in->check_damage[0] && (in->crc != m->crc || (uint32_t)in->member_len != m->isize))
            snprintf(in->check_damage, sizeof in->check_damage, "damaged gzip data (%s)",
                     in->crc != m->crc ? "incorrect data check" : "incorrect length check");
        data += part;
        len -= part;
        off += part;
        in->crc = 0;
        in->member_len = 0;
    }
    in->crc = (uint32_t)crc32_z(in->crc, (const unsigned char *)data, len);
    in->member_len += len;
}

int lp_input_next(lp_input *in, const char **data, size_t *len, lp_error *err)
{
    pthread_mutex_lock(&in->mu);
    if (in->holding) {
        in->slots[in->head].full = false;
        in->head = (in->head + 1) % GZ_SLOTS;
        in->holding = false;
        pthread_cond_broadcast(&in->cv);
    }
    while (!in->slots[in->head].full && !in->finished)
        pthread_cond_wait(&in->cv, &in->mu);
    int rc = in->finished && in->fatal[0] ? -1 : 0;   /* fatal is final once finished */
    size_t n_ends = in->n_ends;
    if (in->slots[in->head].full) {
        in->holding = true;
        *data = in->slots[in->head].buf;
        *len = in->slots[in->head].len;
        rc = 1;
    }
    pthread_mutex_unlock(&in->mu);
    if (rc == 1 && in->gzip)
        check_text(in, *data, *len, n_ends);
    if (rc < 0)
        lp_error_set(err, "%s", in->fatal);
    return rc;
}

const char *lp_input_damage(const lp_input *in)
{
    return in->damage[0] ? in->damage : in->check_damage[0] ? in->check_damage : NULL;
}

bool lp_input_is_gzip(const lp_input *in)
{
    return in->gzip;
}

void lp_input_close(lp_input *in)
{
    if (in == NULL)
        return;
    if (in->thread_started) {
        pthread_mutex_lock(&in->mu);
        in->stop = true;
        pthread_cond_broadcast(&in->cv);
        pthread_mutex_unlock(&in->mu);
        pthread_join(in->thread, NULL);
        pthread_mutex_destroy(&in->mu);
        pthread_cond_destroy(&in->cv);
    }
    if (in->z_ready)
        inflateEnd(&in->z);
    for (int i = 0; i < GZ_SLOTS; i++)
        free(in->slots[i].buf);
    free(in->carry);
    free(in->raw);
    if (in->fd >= 0)
        close(in->fd);
    free(in->path);
    free(in);
}
