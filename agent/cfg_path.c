/* cfg_path: the log.path template: %p pid, %h host, %n program, %% '%'. */
#include "cfg_path.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Append src to the buffer, turning '/' into '_' when `component` is set
 * (a host or program name must not create directories). */
static void append(char *out, size_t *len, const char *src, bool component)
{
    for (; *src; src++)
        out[(*len)++] = (component && *src == '/') ? '_' : *src;
}

static int scan(const char *tmpl, la_error *err, size_t *fixed, size_t *n_vars)
{
    *fixed = 0;
    *n_vars = 0;
    for (const char *p = tmpl; *p; p++) {
        if (*p != '%') {
            (*fixed)++;
            continue;
        }
        p++;
        if (*p == '%') {
            (*fixed)++;
        } else if (*p == 'p' || *p == 'h' || *p == 'n') {
            (*n_vars)++;
        } else if (*p == '\0') {
            return la_error_set(err, "log.path '%s' ends with a lone '%%' (write %%%% for a percent sign)", tmpl);
        } else {
            return la_error_set(err, "unknown '%%%c' in log.path '%s' (use %%p pid, %%h host, %%n program, %%%% percent)", *p, tmpl);
        }
    }
    return 0;
}

int cfg_check_path_template(const char *tmpl, la_error *err)
{
    size_t fixed, n_vars;
    if (scan(tmpl, err, &fixed, &n_vars) != 0)
        return -1;
    if (fixed == 0 && n_vars == 0)
        return la_error_set(err, "log.path is empty");
    return 0;
}

char *cfg_expand_path(const char *tmpl, long pid, const char *host,
                      const char *program, la_error *err)
{
    size_t fixed, n_vars;
    if (scan(tmpl, err, &fixed, &n_vars) != 0)
        return NULL;
    char pid_text[32];
    snprintf(pid_text, sizeof pid_text, "%ld", pid);
    host = host && *host ? host : "unknown";
    program = program && *program ? program : "unknown";
    size_t longest = strlen(pid_text);
    if (strlen(host) > longest)
        longest = strlen(host);
    if (strlen(program) > longest)
        longest = strlen(program);
    char *out = malloc(fixed + n_vars * longest + 1);
    if (out == NULL) {
        la_error_set(err, "out of memory");
        return NULL;
    }
    size_t len = 0;
    for (const char *p = tmpl; *p; p++) {
        if (*p != '%') {
            out[len++] = *p;
            continue;
        }
        p++;
        switch (*p) {
        case 'p': append(out, &len, pid_text, false); break;
        case 'h': append(out, &len, host, true); break;
        case 'n': append(out, &len, program, true); break;
        default: out[len++] = '%'; break;
        }
    }
    out[len] = '\0';
    return out;
}
