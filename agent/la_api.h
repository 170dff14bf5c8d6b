/* la_api: LA_API marks the public functions and data of libleakagent.
 *
 * The library's objects are compiled with -fvisibility=hidden; LA_API gives
 * the declarations in the public headers default visibility, so that
 * libleakagent.so exports exactly its API.  (The Python extension links the
 * static archive with -Wl,--exclude-libs so it still exports only
 * PyInit__leakagent.) */
#ifndef LA_API_H
#define LA_API_H

#if defined(__GNUC__)
#define LA_API __attribute__((visibility("default")))
#else
#define LA_API
#endif

#endif
