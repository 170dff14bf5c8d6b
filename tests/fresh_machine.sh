#!/usr/bin/env bash
# A fresh Debian 12 machine, as a chroot: only git and make are installed. Runs the README's
# two set-up commands there (`make deps demo`, then `make check`) on a clone of the landed project.
# The project's copy of ../shared/fresh-machine.sh, which .ci/run runs first.
# usage: tests/fresh_machine.sh [PROJECT_DIR]   (as root, from the project root; the base
# image is built once per machine with debootstrap from Debian's archive, about a minute).
# It tests what is committed (a clone of HEAD), not the work tree.
set -u
proj=$(cd "${1:-.}" && pwd)
img=/tmp/fresh-root-bookworm.tgz
if [ ! -s "$img" ]; then
  # A CI machine may have no package lists yet: update once if the install fails.
  command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >/dev/null 2>&1 ||
    { apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null 2>&1; } ||
    { echo "fresh-machine: cannot install debootstrap"; exit 2; }
  b=$(mktemp -d /tmp/fresh-base.XXXX)
  mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null)
  [ -n "$mirror" ] || mirror=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null)
  [ -n "$mirror" ] || mirror=http://deb.debian.org/debian
  debootstrap --variant=minbase bookworm "$b" "$mirror" >/tmp/fresh-debootstrap.log 2>&1 || { echo "debootstrap failed"; exit 2; }
  cp /etc/resolv.conf "$b/etc/resolv.conf"
  mount -t proc proc "$b/proc"; mount --bind /dev "$b/dev"
  chroot "$b" /bin/bash -c 'apt-get update -qq && apt-get install -y -qq git make ca-certificates' >/dev/null 2>&1
  umount "$b/dev" "$b/proc"
  grep -q " $b/" /proc/mounts && { echo "fresh-machine: could not unmount under $b" >&2; exit 2; }
  tar -C "$b" --exclude=./proc/* --exclude=./dev/* -czf "$img" . && rm -rf "$b"
fi
r=$(mktemp -d /tmp/fresh.XXXX)
cleanup() {
  for m in tmp dev/pts dev proc; do umount "$r/$m" 2>/dev/null || umount -l "$r/$m" 2>/dev/null; done
  # never remove the tree while anything is still mounted under it (/dev is the host's)
  if grep -q " $r/" /proc/mounts; then echo "fresh-machine: $r still has mounts; left in place" >&2
  else rm -rf "$r"; fi
}
trap cleanup EXIT
tar -C "$r" -xzf "$img"
cp /etc/resolv.conf "$r/etc/resolv.conf"
mount -t proc proc "$r/proc"; mount --bind /dev "$r/dev"; mount --bind /dev/pts "$r/dev/pts"; mount -t tmpfs -o size=8g tmpfs "$r/tmp"
git clone -q "$proj" "$r/root/project" || { echo "clone failed"; exit 1; }
log=/tmp/fresh-last.log
chroot "$r" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin TERM=dumb \
  /bin/bash -c 'cd /root/project && make deps demo' >"$log" 2>&1; rc1=$?
echo "== make check" >>"$log"
chroot "$r" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin TERM=dumb \
  /bin/bash -c 'cd /root/project && make check' >>"$log" 2>&1; rc2=$?
summary=$(grep -E "^[0-9]+ passed, [0-9]+ failed" "$log" | tail -1)
echo "fresh Debian 12: 'make deps demo' rc=$rc1; 'make check' rc=$rc2 ${summary:+($summary)}; log $log"
[ $rc1 -eq 0 ] && [ $rc2 -eq 0 ]
