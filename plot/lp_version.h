/* lp_version: the version of leakplot (and of the installed library's
 * pkg-config file, which contrib/contrib.mk reads from here). */
#ifndef LP_VERSION_H
#define LP_VERSION_H

#define LP_VERSION "0.1.0"

#endif
