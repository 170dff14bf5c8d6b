/* la_proc: reading the process's own /proc files (la_proc.h). */
#include "la_proc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static FILE *open_self(const char *root, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/self/%s", root ? root : "/proc", name);
    return fopen(path, "re");
}

double la_proc_rss(const char *root)
{
    FILE *f = open_self(root, "statm");
    if (f == NULL)
        return -1;
    unsigned long size, resident;
    int n = fscanf(f, "%lu %lu", &size, &resident);
    fclose(f);
    if (n != 2)
        return -1;
    return (double)resident * (double)sysconf(_SC_PAGESIZE);
}

char *la_proc_comm(const char *root)
{
    char name[64] = "";
    FILE *f = open_self(root, "comm");
    if (f) {
        if (fgets(name, sizeof name, f) == NULL)
            name[0] = '\0';
        fclose(f);
    }
    name[strcspn(name, "\n")] = '\0';
    return strdup(name[0] ? name : "unknown");
}
