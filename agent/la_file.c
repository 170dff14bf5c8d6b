/* la_file: the agent's files in directories others may write to (la_file.h). */
#include "la_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SHARED_NOTE "in a directory others can write to"

char *la_file_split(const char *path, const char **base)
{
    const char *slash = strrchr(path, '/');
    *base = slash ? slash + 1 : path;
    if (slash == NULL)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

bool la_file_dir_shared(int dfd)
{
    struct stat st;
    if (fstat(dfd, &st) != 0)
        return true;        /* cannot tell: be careful */
    if (st.st_mode & (S_IWGRP | S_IWOTH))
        return true;
    return st.st_uid != geteuid() && st.st_uid != 0;
}

int la_file_create_new(int dfd, const char *name, const char *shown, mode_t mode, la_error *err)
{
    if (unlinkat(dfd, name, 0) != 0 && errno != ENOENT)
        return la_error_errno(err, errno, "cannot remove the old %s", shown);
    int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0 && errno == EEXIST)
        return la_error_set(err, "cannot create %s: something else was put there meanwhile "
                                 "(a link planted by another user?)", shown);
    if (fd < 0)
        return la_error_errno(err, errno, "cannot create %s", shown);
    fchmod(fd, mode);
    return fd;
}

/* In a shared directory, refuse what is not a regular file of ours with one
 * link: another user's file, or a hard link to a file elsewhere. */
static int check_ours(int fd, const char *shown, la_error *err)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return la_error_errno(err, errno, "cannot examine %s", shown);
    if (!S_ISREG(st.st_mode)) {
        errno = EPERM;
        return la_error_set(err, "refusing %s: not a regular file, " SHARED_NOTE, shown);
    }
    if (st.st_uid != geteuid()) {
        errno = EPERM;
        return la_error_set(err, "refusing %s: owned by uid %u, not by us (uid %u), " SHARED_NOTE
                                 "; remove it or move log.path",
                            shown, (unsigned)st.st_uid, (unsigned)geteuid());
    }
    if (st.st_nlink != 1) {
        errno = EPERM;
        return la_error_set(err, "refusing %s: it has %lu hard links, " SHARED_NOTE, shown,
                            (unsigned long)st.st_nlink);
    }
    return 0;
}

int la_file_open(int dfd, const char *name, const char *shown, int flags, mode_t mode,
                 la_error *err)
{
    bool shared = la_file_dir_shared(dfd);
    int fl = flags | O_CLOEXEC | (shared ? O_NOFOLLOW : 0);
    bool created = false;
    int fd = -1;
    if (flags & O_CREAT) {
        /* O_EXCL tells whether we made it (and never follows a link). */
        fd = openat(dfd, name, fl | O_EXCL, mode);
        created = fd >= 0;
        if (fd < 0 && errno != EEXIST)
            return la_error_errno(err, errno, "cannot open %s", shown);
    }
    if (fd < 0)
        fd = openat(dfd, name, fl & ~O_CREAT);
    if (fd < 0 && errno == ENOENT && (flags & O_CREAT) && !shared) {
        /* A dangling link in a private directory: create what it names. */
        fd = openat(dfd, name, fl, mode);
        created = fd >= 0;
    }
    if (fd < 0) {
        int saved = errno;
        if (saved == ELOOP && shared)
            la_error_set(err, "refusing %s: a symbolic link, " SHARED_NOTE, shown);
        else
            la_error_errno(err, saved, "cannot open %s", shown);
        errno = saved;
        return -1;
    }
    if (created) {
        fchmod(fd, mode);
    } else if (shared && check_ours(fd, shown, err) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}
