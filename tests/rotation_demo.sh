#!/bin/sh
# The issue's end-to-end check of the core: a program linking libleakagent
# with a fake source writes a log that rotates into .gz files; their
# snapshots (read with the system's zcat, oldest first), concatenated, must
# be exactly the snapshots written.
set -u
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/rotation-demo-XXXXXX)
trap 'rm -rf "$dir"' EXIT
. "$here/check_lib.sh"
"$here/obj/rotation_demo" "$dir" 300 "$dir/expected" || exit 1
ls "$dir" | sort -V | tr '\n' ' '; echo
gz_count=$(ls "$dir" | grep -c '^most_common\.log\.[0-9]*\.gz$')
check "rotated into several .gz files ($gz_count)" test "$gz_count" -ge 5
check "no uncompressed or temporary leftovers" test -z "$(ls "$dir" | grep -E '\.log\.[0-9]+$|\.tmp$')"
for f in $(ls "$dir" | grep '^most_common\.log\.[0-9]*\.gz$' | sort -t. -k3,3nr); do
    zcat "$dir/$f"
done > "$dir/all"
cat "$dir/most_common.log" >> "$dir/all"
check "every file starts with a header" \
    test "$(grep -c '^# leakagent 1 ' "$dir/all")" -eq $((gz_count + 1))
grep -v '^# leakagent 1 ' "$dir/all" > "$dir/snapshots"
check "concatenated snapshots are exactly those written" cmp "$dir/expected" "$dir/snapshots"
check_summary
