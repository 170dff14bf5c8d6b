/* la_proc: what the agent reads of its own process in /proc (resident
 * memory, the command name).  The root is a parameter (NULL: "/proc"), so
 * that tests give a directory of their own and check what is made of it. */
#ifndef LA_PROC_H
#define LA_PROC_H

/* Bytes resident (ROOT/self/statm), or -1 if it cannot be read. */
double la_proc_rss(const char *root);

/* The command name (ROOT/self/comm, without its newline), malloc'd;
 * "unknown" if it cannot be read; NULL when out of memory. */
char *la_proc_comm(const char *root);

#endif
