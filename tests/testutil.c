/* testutil: helpers for the agent's unit tests (see testutil.h). */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

char *tu_make_tmpdir(void)
{
    char *dir = strdup("/tmp/leakagent-test-XXXXXX");
    if (dir && mkdtemp(dir) == NULL) {
        free(dir);
        return NULL;
    }
    return dir;
}

void tu_remove_tree(const char *path)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", path);
}

char *tu_read_file(const char *path, size_t *len)
{
    gzFile gz = gzopen(path, "rb");   /* reads plain files as they are */
    if (gz == NULL)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    for (;;) {
        if (n == cap) {
            char *bigger = realloc(buf, cap * 2 + 1);
            if (bigger == NULL)
                break;
            buf = bigger;
            cap *= 2;
        }
        int got = gzread(gz, buf + n, (unsigned)(cap - n));
        if (got <= 0)
            break;
        n += (size_t)got;
    }
    gzclose(gz);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

size_t tu_count_lines(const char *text, const char *prefix)
{
    size_t count = 0, plen = strlen(prefix);
    for (const char *line = text; line && *line;) {
        if (strncmp(line, prefix, plen) == 0)
            count++;
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    return count;
}

int tu_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    fputs(text, f);
    return fclose(f) == 0 ? 0 : -1;
}

int tu_exists(const char *path)
{
    return access(path, F_OK) == 0;
}

char *tu_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}
