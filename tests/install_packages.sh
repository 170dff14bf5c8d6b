#!/bin/sh
# install_packages.sh PACKAGE...: what `make deps` and `make deps-hardening`
# run.  Installs the Debian packages that are not installed yet, as root or
# through sudo.  Nothing to install: says so and touches nothing (no network
# needed).  A failed `apt-get update` is reported, and the install is then
# tried from the package lists the machine has; a failed install is an error
# that names the packages.
set -u
missing=""
for p in "$@"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)
    [ "$status" = installed ] || missing="$missing $p"
done
if [ -z "$missing" ]; then
    echo "deps: all $# packages are installed"
    exit 0
fi
if [ "$(id -u)" = 0 ]; then
    as_root=""
elif command -v sudo >/dev/null 2>&1; then
    as_root="sudo"
else
    echo "deps: installing$missing needs root: run 'make deps' as root, or install sudo" >&2
    exit 1
fi
echo "deps: installing$missing"
if ! $as_root apt-get update -qq; then
    echo "deps: warning: 'apt-get update' failed (exit above); installing from the package lists as they are" >&2
fi
# shellcheck disable=SC2086
if ! $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing; then
    echo "deps: 'apt-get install$missing' failed" >&2
    exit 1
fi
