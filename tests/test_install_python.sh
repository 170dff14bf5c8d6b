#!/bin/sh
# make install for the interpreter a service runs on (README, "Install"):
# Debian's /usr/bin/python3 (its own site-packages, or PREFIX=/usr for a
# package, both staged in a DESTDIR), a custom PREFIX (the PYTHONPATH it
# then needs, followed), PYTHON_SITE, and a venv of /usr/bin/python3 (the
# agent then starts from LEAKAGENT_CONFIG alone).  Each install says where
# the package went; each uninstall leaves nothing.  Never touches the real
# system.  Ends with "N passed, N failed".
cd "$(dirname "$0")/.." || exit 2
. tests/check_lib.sh
. tests/py_install_lib.sh
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
DEB=/usr/bin/python3
B=$T/build
intree=$(cksum agent/python/leakagent/_leakagent.*.so)
has_line() { printf '%s\n' "$PY_INSTALL_OUT" | grep -qxF "$1"; }
show() { printf '%s\n' "$PY_INSTALL_OUT" | grep '^leakagent: ' | sed 's/^/  | /'; }
no_files() { test -z "$(find "$1" ! -type d)"; }
# imports PYTHON SITE: PYTHON imports the package (and its extension) from SITE
imports() {
    env PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$3" "$1" -c "
import sys, leakagent
assert leakagent.__file__.startswith('$2/leakagent/'), leakagent.__file__
assert leakagent._leakagent.__file__.startswith('$2/leakagent/')
assert leakagent.snapshot()['dict'] > 0"
}

# ---- Debian's python3, its own site-packages (no PREFIX) ---------------------
site=$(py_site $DEB)
check "Debian python3's own site is /usr/local/lib/python3.X/dist-packages" \
    sh -c "echo '$site' | grep -qx '/usr/local/lib/python3\.[0-9]*/dist-packages'"
py_install "$B" $DEB install-python DESTDIR="$T/deb"
check "make install PYTHON=$DEB DESTDIR=... succeeds" test $? -eq 0
show
check "it says where the package is staged" \
    has_line "leakagent: staged for $DEB (CPython $($DEB -c 'import platform; print(platform.python_version())')) in $T/deb$site/leakagent"
check "and that $DEB imports it from there once unpacked" \
    has_line "leakagent: it imports it from there, and the autostart .pth there runs the agent when LEAKAGENT_CONFIG is set"
check "package, extension and .pth in place" \
    test -f "$T/deb$site/leakagent/__init__.py" -a -f "$T/deb$site/leakagent-autostart.pth" \
    -a -n "$(ls "$T/deb$site"/leakagent/_leakagent.cpython-*.so)"
check "$DEB imports it, extension included" imports $DEB "$T/deb$site" "$T/deb$site"
version=$(sed -n 's/^#define LP_VERSION "\(.*\)"/\1/p' plot/lp_version.h)
dist=$T/deb$site/leakagent-$version.dist-info
check "a dist-info registers the pytest plugin (entry point pytest11)" \
    env PYTHONPATH="$T/deb$site" $DEB -c "import importlib.metadata as m
eps = [e for e in m.distribution('leakagent').entry_points if e.group == 'pytest11']
assert [(e.name, e.value) for e in eps] == [('leakagent.pytest', 'leakagent.pytest')], eps
assert m.version('leakagent') == '$version'"
check "its RECORD lists every file installed, with hashes" sh -c "
    cd '$T/deb$site' && test \$(grep -c ',sha256=' '$dist/RECORD') -eq \$(find leakagent leakagent-autostart.pth '${dist##*/}' -type f ! -name RECORD | wc -l)"
check "the in-tree extensions are left to the tree's own interpreters" \
    test "$(cksum agent/python/leakagent/_leakagent.*.so)" = "$intree"
py_install "$B" $DEB uninstall-python DESTDIR="$T/deb"
check "uninstall removes every file" no_files "$T/deb"

# ---- Debian packaging: PREFIX=/usr --------------------------------------------
py_install "$B" $DEB install-python DESTDIR="$T/pkg" PREFIX=/usr
show
check "PREFIX=/usr: into /usr/lib/python3/dist-packages, where Debian's packages go" \
    test -f "$T/pkg/usr/lib/python3/dist-packages/leakagent/__init__.py"
py_install "$B" $DEB uninstall-python DESTDIR="$T/pkg" PREFIX=/usr
check "PREFIX=/usr: uninstall removes every file" no_files "$T/pkg"

# ---- a prefix Python does not search -------------------------------------------
py_install "$B" $DEB install-python PREFIX="$T/opt"
show
ver=$($DEB -c 'import sys; print("%d.%d" % sys.version_info[:2])')
osite=$T/opt/lib/python$ver/site-packages
check "PREFIX=$T/opt: into PREFIX/lib/python$ver/site-packages, as pip --prefix" \
    test -f "$osite/leakagent/__init__.py"
check "it says the PYTHONPATH to set" has_line "leakagent: installed for $DEB (CPython \
$($DEB -c 'import platform; print(platform.python_version())')) in $osite/leakagent"
printf '%s\n' "$PY_INSTALL_OUT" | grep -qF "leakagent: $DEB does not search $osite: run it with PYTHONPATH=$osite "
check "... and that $DEB does not search there" test $? -eq 0
check "with that PYTHONPATH, $DEB imports it" imports $DEB "$osite" "$osite"
printf 'interval: 1h\nlog:\n  path: %s/opt.log\n' "$T" >"$T/opt.yaml"
echo 'print("script ran")' >"$T/script.py"
out=$(cd "$T" && PYTHONPATH="$osite" $DEB -m leakagent -c "$T/opt.yaml" "$T/script.py")
check "python -m leakagent from there runs a script with the agent" \
    sh -c "test '$out' = 'script ran' && grep -q '^# leakagent 1 .*program=script' '$T/opt.log'"
py_install "$B" $DEB uninstall-python PREFIX="$T/opt"
check "PREFIX=...: uninstall removes every file" no_files "$T/opt"

# ---- PYTHON_SITE ---------------------------------------------------------------
py_install "$B" $DEB install-python PYTHON_SITE="$T/explicit"
check "PYTHON_SITE=DIR: into DIR" test -f "$T/explicit/leakagent/__init__.py"
py_install "$B" $DEB uninstall-python PYTHON_SITE="$T/explicit"
check "PYTHON_SITE=DIR: uninstall removes every file" no_files "$T/explicit"

# ---- a venv of Debian's python3 ------------------------------------------------
$DEB -m venv --without-pip "$T/venv"
V=$T/venv/bin/python
py_install "$B" "$V" install-python
show
vsite=$T/venv/lib/python$ver/site-packages
check "a venv: into its site-packages" test -f "$vsite/leakagent/__init__.py"
check "it says the venv's python imports it and reads the .pth" \
    has_line "leakagent: it imports it from there, and the autostart .pth there runs the agent when LEAKAGENT_CONFIG is set"
check "the venv's python imports it with no PYTHONPATH" imports "$V" "$vsite" ""
check "Debian's python3 outside the venv does not see it" \
    sh -c "! env -u PYTHONPATH $DEB -c 'import leakagent' 2>/dev/null"
printf 'interval: 1h\nlog:\n  path: %s/venv.%%p.log\n' "$T" >"$T/venv.yaml"
out=$(cd "$T" && env -u PYTHONPATH LEAKAGENT_CONFIG="$T/venv.yaml" "$V" -c \
    'import leakagent; leakagent.sample_now(); print(leakagent.is_running())')
check "LEAKAGENT_CONFIG alone starts the agent in the venv's python" \
    sh -c "test '$out' = True && grep -q '^#START ' $T/venv.*.log"
py_install "$B" "$V" uninstall-python
check "venv: uninstall removes our files" \
    test ! -e "$vsite/leakagent" -a ! -e "$vsite/leakagent-autostart.pth" -a ! -e "$vsite/leakagent-$version.dist-info"

check_summary
