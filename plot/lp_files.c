/* lp_files: rotated siblings of a LOG argument, found with one readdir. */
#include "lp_files.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lp_array.h"

typedef struct sibling {
    unsigned long number;
    bool gz;
    char *path;
} sibling;

/* Highest number first; for one number the plain file first. */
static int cmp_sibling(const void *a, const void *b)
{
    const sibling *x = a, *y = b;
    if (x->number != y->number)
        return x->number > y->number ? -1 : 1;
    return (int)x->gz - (int)y->gz;
}

/* If name is base + ".N" or base + ".N.gz", set *number and *gz. */
static bool sibling_name(const char *name, const char *base, size_t base_len,
                         unsigned long *number, bool *gz)
{
    if (strncmp(name, base, base_len) != 0 || name[base_len] != '.')
        return false;
    const char *p = name + base_len + 1;
    if (*p < '0' || *p > '9')
        return false;
    char *end;
    errno = 0;
    *number = strtoul(p, &end, 10);
    if (errno != 0 || *number == 0)
        return false;
    *gz = strcmp(end, ".gz") == 0;
    return *gz || *end == '\0';
}

static int push(lp_file_list *out, char *path, size_t *cap)
{
    if (lp_array_grow((void **)&out->paths, cap, out->n + 1, sizeof *out->paths, NULL) != 0)
        return -1;
    out->paths[out->n++] = path;
    return 0;
}

int lp_files_expand(const char *log, lp_file_list *out, lp_error *err)
{
    int rc = -1;
    sibling *sib = NULL;
    size_t n_sib = 0, cap_sib = 0, cap_out = 0;
    const char *slash = strrchr(log, '/');
    const char *base = slash ? slash + 1 : log;
    size_t base_len = strlen(base);
    char *dir = slash ? strndup(log, (size_t)(slash - log) + 1) : strdup("");
    if (dir == NULL)
        goto out;
    DIR *d = base_len ? opendir(*dir ? dir : ".") : NULL;
    for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
        unsigned long number;
        bool gz;
        if (!sibling_name(e->d_name, base, base_len, &number, &gz))
            continue;
        if (lp_array_grow((void **)&sib, &cap_sib, n_sib + 1, sizeof *sib, NULL) != 0) {
            closedir(d);
            goto out;
        }
        sib[n_sib] = (sibling){.number = number, .gz = gz};
        if (asprintf(&sib[n_sib].path, "%s%s", dir, e->d_name) < 0) {
            sib[n_sib].path = NULL;
            closedir(d);
            goto out;
        }
        n_sib++;
    }
    if (d)
        closedir(d);
    if (n_sib > 1)
        qsort(sib, n_sib, sizeof *sib, cmp_sibling);
    for (size_t i = 0; i < n_sib; i++) {
        if (i > 0 && sib[i].number == sib[i - 1].number) {
            free(sib[i].path);     /* LOG.N.gz next to a complete LOG.N */
            sib[i].path = NULL;
        } else if (push(out, sib[i].path, &cap_out) != 0) {
            goto out;
        } else {
            sib[i].path = NULL;
        }
    }
    struct stat st;
    int log_errno = stat(log, &st) == 0 ? 0 : errno;
    if (log_errno == 0 || n_sib == 0) {
        /* present, or absent with nothing else: the open reports why */
        char *copy = strdup(log);
        if (copy == NULL || push(out, copy, &cap_out) != 0) {
            free(copy);
            goto out;
        }
    }
    rc = 0;
out:
    if (rc != 0) {
        lp_error_set(err, "%s: out of memory", log);
        lp_files_free(out);
    }
    for (size_t i = 0; i < n_sib; i++)
        free(sib[i].path);
    free(sib);
    free(dir);
    return rc;
}

void lp_files_free(lp_file_list *list)
{
    for (size_t i = 0; i < list->n; i++)
        free(list->paths[i]);
    free(list->paths);
    list->paths = NULL;
    list->n = 0;
}
