#!/bin/sh
# make install / make uninstall into a temporary DESTDIR with PREFIX=/usr:
# every file in place, a C program built against the installed headers and
# library through pkg-config (shared and static), the installed leakplot,
# the man pages, the Python package importable from there; then uninstall
# leaves none of our files.  Never touches the real system.
# Ends with "N passed, N failed".
cd "$(dirname "$0")/.." || exit 2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
D=$T/root
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
# check NAME CMD...: CMD must succeed
check() {
    name=$1
    shift
    if "$@" >"$T/out" 2>&1; then ok; else bad "$name"; sed 's/^/  | /' "$T/out"; fi
}

# Sub-makes: plain make (no -j, no inherited goals); PYTHON etc. come through
# MAKEFLAGS when make check was given them.
mk() { make --no-print-directory "$@" DESTDIR="$D" PREFIX=/usr >"$T/make.log" 2>&1; }

if mk install; then ok; else bad "make install"; sed 's/^/  | /' "$T/make.log"; fi

# ---- every file in place ---------------------------------------------------
for f in usr/bin/leakplot usr/lib/libleakagent.a usr/lib/libleakagent.so.0 \
         usr/lib/libleakagent.so usr/lib/pkgconfig/leakagent.pc \
         usr/share/man/man1/leakplot.1 usr/share/man/man5/leakagent.yaml.5; do
    check "installed $f" test -e "$D/$f"
done
installed=$(make --no-print-directory -s print-installed-headers)
for h in $installed; do
    check "installed header $h" cmp "$h" "$D/usr/include/leakagent/${h#agent/}"
done
# The internal headers stay in the tree (la_file.h, rlog_gzip.h, ...).
for h in agent/*.h; do
    case " $installed " in *" $h "*) continue ;; esac
    check "internal header $h not installed" test ! -e "$D/usr/include/leakagent/${h#agent/}"
done
check "leakplot executable" test -x "$D/usr/bin/leakplot"
check "libleakagent.so is a link to the soname" test "$(readlink "$D/usr/lib/libleakagent.so")" = libleakagent.so.0
check "soname" sh -c "objdump -p '$D/usr/lib/libleakagent.so.0' | grep -q 'SONAME *libleakagent.so.0'"
# Exported: the public API only, every name with a module prefix.
nm -D --defined-only "$D/usr/lib/libleakagent.so.0" | awk '{print $3}' >"$T/syms"
check "shared library exports the API" grep -qx la_agent_start "$T/syms"
check "shared library exports nothing else" sh -c \
    "! grep -Ev '^(la_agent_|la_counter_|la_error_)' '$T/syms'"

# The Python package: wherever $(PYTHON)'s site-packages is, under DESTDIR.
pth=$(find "$D" -name leakagent-autostart.pth | head -1)
site=${pth%/leakagent-autostart.pth}
check "autostart .pth installed" test -n "$pth"
for f in __init__.py __main__.py _autostart.py; do
    check "python package $f" test -f "$site/leakagent/$f"
done
ext=$(ls "$site"/leakagent/_leakagent*.so 2>/dev/null | head -1)
check "python extension installed" test -n "$ext"
# Import it from DESTDIR with the interpreter it was built for, if that is
# the python3 on PATH (PYTHON may name another).
suffix=$(python3 -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))' 2>/dev/null)
if [ -n "$suffix" ] && [ -f "$site/leakagent/_leakagent$suffix" ]; then
    check "python imports the installed package" env PYTHONPATH="$site" PYTHONDONTWRITEBYTECODE=1 \
        python3 -c "import leakagent, sys; sys.exit(0 if leakagent.__file__.startswith('$site') else 1)"
fi

# ---- pkg-config, and a C program against the installed library -------------
export PKG_CONFIG_PATH="$D/usr/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$D"
check "pkg-config knows leakagent" pkg-config --exists leakagent
flags=$(pkg-config --cflags --libs leakagent 2>/dev/null)
sflags=$(pkg-config --static --cflags --libs leakagent 2>/dev/null)
check "pkg-config flags point into DESTDIR" sh -c "echo '$flags' | grep -q -- '-I$D/usr/include' && echo '$flags' | grep -q -- '-L$D/usr/lib'"
check "pkg-config version" test "$(pkg-config --modversion leakagent)" = "$(sed -n 's/^#define LP_VERSION "\(.*\)"/\1/p' plot/lp_version.h)"
cat >"$T/use.c" <<'C'
#include <leakagent/la_agent.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    la_error err;
    la_agent *agent = la_agent_start(NULL, "use", &err);
    if (agent == NULL) {
        fprintf(stderr, "start: %s\n", err.msg);
        return 1;
    }
    la_counter *c = la_counter_add(agent, "use.Thing");
    la_counter_adjust(c, 41);
    la_counter_adjust(c, 1);
    int ok = c == la_counter_add(agent, "use.Thing") && la_agent_sample_now(agent, &err) == 0;
    la_agent_stop(agent);
    ok = ok && la_agent_start("/nonexistent/leakagent.yaml", "use", &err) == NULL &&
         strstr(err.msg, "/nonexistent/leakagent.yaml") != NULL;
    printf("%s\n", err.msg);
    return ok ? 0 : 1;
}
C
# SAN_FLAGS: the sanitizer flags the library was built with, if any.
# shellcheck disable=SC2086
check "C program builds against the shared library" "${CC:-cc}" $SAN_FLAGS -Wall -Werror -o "$T/use" "$T/use.c" $flags
check "C program runs with the installed .so" sh -c "cd '$T' && LD_LIBRARY_PATH='$D/usr/lib' '$T/use' && grep -q '^use.Thing 42\$' most_common.log"
check "C program loads libleakagent.so.0" sh -c "LD_LIBRARY_PATH='$D/usr/lib' ldd '$T/use' | grep -q '$D/usr/lib/libleakagent.so.0'"
# shellcheck disable=SC2086
check "C program builds against the static library" sh -c \
    "${CC:-cc} $SAN_FLAGS -Wall -Werror -o '$T/use_static' '$T/use.c' \$(echo '$sflags' | sed 's/-lleakagent/-l:libleakagent.a/') && cd '$T' && '$T/use_static'"

# ---- leakplot and the man pages ---------------------------------------------
check "installed leakplot --version" sh -c "'$D/usr/bin/leakplot' --version | grep -q '^leakplot [0-9]'"
# Every long option of --help is in leakplot(1), every config key in leakagent.yaml(5).
missing=
for o in $(plot/leakplot --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
    grep -q -- "$(echo "$o" | sed 's/-/\\\\-/g')" contrib/man/leakplot.1 || missing="$missing $o"
done
check "leakplot.1 documents every option of --help:$missing" test -z "$missing"
missing=
for k in $(sed -n 's/^    {"\([a-z_.]*\)", KIND_.*/\1/p' agent/cfg_keys.c); do
    grep -q "^\.BR $k " contrib/man/leakagent.yaml.5 || missing="$missing $k"
done
check "leakagent.yaml.5 documents every key:$missing" test -z "$missing"
if command -v man >/dev/null && command -v groff >/dev/null; then
    for m in man1/leakplot.1 man5/leakagent.yaml.5; do
        check "man -l $m" sh -c "MANWIDTH=80 man -l '$D/usr/share/man/$m' 2>&1 | grep -q 'NAME'"
        check "groff -ww $m: no warnings" sh -c "! groff -man -Tutf8 -ww '$D/usr/share/man/$m' 2>&1 >/dev/null | grep ."
    done
else
    echo "SKIP man pages: man or groff missing"
fi

# ---- uninstall ------------------------------------------------------------------
if mk uninstall; then ok; else bad "make uninstall"; sed 's/^/  | /' "$T/make.log"; fi
left=$(find "$D" ! -type d)
check "uninstall leaves none of our files" test -z "$left"
[ -z "$left" ] || echo "$left" | sed 's/^/  left: /'
check "uninstall removes our directories" sh -c \
    "! find '$D' -type d \( -path '*/include/leakagent' -o -path '*/site-packages/leakagent' \) | grep ."

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
