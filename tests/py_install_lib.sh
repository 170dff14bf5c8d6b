# py_install_lib.sh: install the leakagent package for another interpreter
# than the one the tree is built for (Debian's /usr/bin/python3, a venv of
# it), the way a user does, for the tests that run real programs under it.
# Source it after cd-ing to the top of the tree.
#
#   py_install BUILD PYTHON [MAKE ARGUMENTS...]
#       make PYTHON=... ARGUMENTS: a goal (install-python, uninstall-python)
#       and DESTDIR=, PREFIX=, PYTHON_SITE=;
#       its output (where the package went) in $PY_INSTALL_OUT; returns
#       make's status.  The extension is linked into the directory BUILD
#       instead of agent/python/leakagent/: Debian's 3.11 and pyenv's 3.11
#       share one EXT_SUFFIX there, and the other tests of this make check
#       must keep the one built for their interpreter.
#   py_site PYTHON [--prefix P]: the site-packages install-python picks.
py_install() {
    build=$1; py=$2; shift 2
    suffix=$("$py" -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))') || return 1
    mkdir -p "$build"
    PY_INSTALL_OUT=$(make --no-print-directory PYTHON="$py" \
        PYAGENT_SO="$build/_leakagent$suffix" "$@" 2>&1)
}
py_site() {
    py=$1; shift
    "$py" agent/python/install_dir.py "$@"
}
