/* lp_input: mapped plain files and double-buffered gzip inflation.
 *
 * Threading (gzip only): one producer thread per open input runs
 * producer(); it owns z and carry.  The compressed bytes are mapped like
 * a plain file and inflated with zlib's inflate() straight into the slot
 * buffers (no stdio, no gzread copy); concatenated gzip members are read
 * in turn, as gzip -d does.  `mu` guards slots[].full, finished and
 * stop; a slot's bytes belong to the producer while !full and to the
 * consumer (lp_input_next's caller) while full.  The producer blocks all
 * signals, so they reach the main thread. */
#include "lp_input.h"

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define GZ_BLOCK ((size_t)8 << 20)   /* bytes of text per block */
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
    /* plain */
    char *map;           /* mmap'd file, or a malloc'd copy when !mapped */
    size_t map_len;
    bool mapped;
    bool delivered;
    /* gzip: the compressed file is mapped (or read whole) into map */
    z_stream z;
    bool z_ready;
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
    char damage[200];    /* written by producer before finished is set */
    /* CRC check, off the inflating thread: the producer records where each
     * gzip member ends (n_ends guarded by mu, entries below it immutable),
     * the consumer runs the CRC over the text it is handed */
    uint64_t produced;   /* producer: text bytes inflated */
    gz_member_end ends[GZ_MEMBERS];
    size_t n_ends;
    uint64_t consumed;   /* consumer: text bytes handed out */
    size_t next_end;     /* consumer: first member end not yet checked */
    uint32_t crc;        /* consumer: CRC of the current member so far */
    uint64_t member_len; /* consumer: its length so far */
    char check_damage[120];   /* consumer's: a failed check */
};

/* Inflate into buf[0..cap); returns the bytes written, sets *eof at the
 * end of the data (damage noted in in->damage). */
static size_t inflate_some(lp_input *in, char *buf, size_t cap, bool *eof)
{
    z_stream *z = &in->z;
    size_t len = 0;
    while (len < cap && !*eof) {
        z->next_out = (unsigned char *)buf + len;
        z->avail_out = (uInt)(cap - len > UINT32_MAX ? UINT32_MAX : cap - len);
        uInt before = z->avail_out;
        int zrc = inflate(z, Z_NO_FLUSH);
        len += before - z->avail_out;
        in->produced += before - z->avail_out;
        if (zrc == Z_STREAM_END) {
            /* the trailer, CRC-32 and length, just consumed (little endian) */
            const unsigned char *tr = z->next_in - 8;
            pthread_mutex_lock(&in->mu);
            if (in->n_ends < GZ_MEMBERS)
                in->ends[in->n_ends++] = (gz_member_end){
                    .end = in->produced,
                    .crc = (uint32_t)tr[0] | (uint32_t)tr[1] << 8 | (uint32_t)tr[2] << 16 |
                           (uint32_t)tr[3] << 24,
                    .isize = (uint32_t)tr[4] | (uint32_t)tr[5] << 8 | (uint32_t)tr[6] << 16 |
                             (uint32_t)tr[7] << 24};
            pthread_mutex_unlock(&in->mu);
            /* another gzip member may follow (cat a.gz b.gz) */
            if (z->avail_in >= 2 && z->next_in[0] == 0x1f && z->next_in[1] == 0x8b &&
                inflateReset(z) == Z_OK)
                continue;
            *eof = true;
        } else if (zrc == Z_BUF_ERROR && z->avail_in == 0) {
            snprintf(in->damage, sizeof in->damage, "damaged gzip data (unexpected end of file)");
            *eof = true;
        } else if (zrc != Z_OK && zrc != Z_BUF_ERROR) {
            snprintf(in->damage, sizeof in->damage, "damaged gzip data (%s)",
                     z->msg ? z->msg : "inflate failed");
            *eof = true;
        }
    }
    return len;
}

/* Fill slot from carry + inflated data; cut it after the last '\n'.
 * Returns true at the end of the stream. */
static bool fill_slot(lp_input *in, gz_slot *slot)
{
    memcpy(slot->buf, in->carry, in->carry_len);
    size_t len = in->carry_len;
    in->carry_len = 0;
    bool eof = false;
    len += inflate_some(in, slot->buf + len, GZ_BLOCK - len, &eof);
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

static int open_plain(lp_input *in, int fd, const struct stat *st, lp_error *err);

static int open_gzip(lp_input *in, int fd, const struct stat *st, lp_error *err)
{
    if (open_plain(in, fd, st, err) != 0)       /* the compressed bytes */
        return -1;
    if (inflateInit2(&in->z, 15 + 16) != Z_OK) {   /* gzip wrapper only */
        lp_error_set(err, "%s: cannot start gzip reader", in->path);
        return -1;
    }
    in->z_ready = true;
    /* zlib's own CRC would run on the inflating thread, the bottleneck;
     * check_text() runs it on the parsing thread, which has time to spare */
    inflateValidate(&in->z, 0);
    in->z.next_in = (unsigned char *)in->map;
    in->z.avail_in = (uInt)(in->map_len > UINT32_MAX ? UINT32_MAX : in->map_len);
    if (in->map_len > UINT32_MAX) {
        lp_error_set(err, "%s: compressed file larger than 4 GiB", in->path);
        return -1;
    }
    in->carry = malloc(GZ_BLOCK);
    for (int i = 0; i < GZ_SLOTS; i++)
        in->slots[i].buf = malloc(GZ_BLOCK);
    for (int i = 0; i < GZ_SLOTS; i++)
        if (in->slots[i].buf == NULL || in->carry == NULL) {
            lp_error_set(err, "%s: out of memory", in->path);
            return -1;
        }
    pthread_mutex_init(&in->mu, NULL);
    pthread_cond_init(&in->cv, NULL);
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&in->thread, NULL, producer, in);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        lp_error_set(err, "%s: cannot start reader thread: %s", in->path, strerror(rc));
        return -1;
    }
    in->thread_started = true;
    return 0;
}

/* Plain file: map it; pipes and other unmappable files are read whole. */
static int open_plain(lp_input *in, int fd, const struct stat *st, lp_error *err)
{
    int rc = -1;
    if (S_ISREG(st->st_mode)) {
        in->map_len = (size_t)st->st_size;
        if (in->map_len == 0) {
            rc = 0;
            goto out;
        }
        void *m = mmap(NULL, in->map_len, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m != MAP_FAILED) {
            madvise(m, in->map_len, MADV_SEQUENTIAL);
            in->map = m;
            in->mapped = true;
            rc = 0;
            goto out;
        }
    }
    size_t cap = 0;
    in->map_len = 0;
    for (;;) {
        if (in->map_len == cap) {
            size_t ncap = cap ? cap * 2 : 1 << 20;
            char *bigger = realloc(in->map, ncap);
            if (bigger == NULL) {
                lp_error_set(err, "%s: out of memory", in->path);
                goto out;
            }
            in->map = bigger;
            cap = ncap;
        }
        ssize_t n = read(fd, in->map + in->map_len, cap - in->map_len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            lp_error_set(err, "%s: %s", in->path, strerror(errno));
            goto out;
        }
        if (n == 0)
            break;
        in->map_len += (size_t)n;
    }
    rc = 0;
out:
    close(fd);
    return rc;
}

lp_input *lp_input_open(const char *path, lp_error *err)
{
    lp_input *in = calloc(1, sizeof *in);
    if (in == NULL || (in->path = strdup(path)) == NULL) {
        free(in);
        lp_error_set(err, "%s: out of memory", path);
        return NULL;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        lp_error_set(err, "%s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        goto fail;
    }
    if (S_ISDIR(st.st_mode)) {
        lp_error_set(err, "%s: is a directory", path);
        close(fd);
        goto fail;
    }
    unsigned char magic[2] = {0, 0};
    in->gzip = S_ISREG(st.st_mode) && pread(fd, magic, 2, 0) == 2 &&
               magic[0] == 0x1f && magic[1] == 0x8b;
    if ((in->gzip ? open_gzip(in, fd, &st, err) : open_plain(in, fd, &st, err)) != 0)
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
    (void)err;
    if (!in->gzip) {
        if (in->delivered || in->map_len == 0)
            return 0;
        in->delivered = true;
        *data = in->map;
        *len = in->map_len;
        return 1;
    }
    pthread_mutex_lock(&in->mu);
    if (in->holding) {
        in->slots[in->head].full = false;
        in->head = (in->head + 1) % GZ_SLOTS;
        in->holding = false;
        pthread_cond_broadcast(&in->cv);
    }
    while (!in->slots[in->head].full && !in->finished)
        pthread_cond_wait(&in->cv, &in->mu);
    int rc = 0;
    size_t n_ends = in->n_ends;
    if (in->slots[in->head].full) {
        in->holding = true;
        *data = in->slots[in->head].buf;
        *len = in->slots[in->head].len;
        rc = 1;
    }
    pthread_mutex_unlock(&in->mu);
    if (rc == 1)
        check_text(in, *data, *len, n_ends);
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
    if (in->mapped)
        munmap(in->map, in->map_len);
    else
        free(in->map);
    free(in->path);
    free(in);
}
