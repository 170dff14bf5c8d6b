#!/bin/sh
# Run every test program given as an argument, print its output, and end with
# one summary line "N passed, N failed" over all of them.
#
# A cmocka program reports "[  PASSED  ] N test(s)." / "[  FAILED  ] N
# test(s)"; any other program reports a line "N passed, N failed" of its own.
# A program that reports nothing counts as one test, passed iff it exits 0;
# one that crashes or exits non-zero without reporting a failure counts one
# failure more.
passed=0
failed=0
failed_names=""
for t in "$@"; do
    echo "=== $t"
    out=$(mktemp)
    # shellcheck disable=SC2086
    sh -c "$t" >"$out" 2>&1
    rc=$?
    cat "$out"
    p=$(sed -n 's/.*\[  PASSED  \] \([0-9][0-9]*\) test.*/\1/p' "$out" | tail -1)
    f=$(sed -n 's/.*\[  FAILED  \] \([0-9][0-9]*\) test.*/\1/p' "$out" | tail -1)
    if [ -z "$p$f" ]; then
        line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -1)
        p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
        f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed$/\1/p')
    fi
    p=${p:-0}
    f=${f:-0}
    if [ "$p" = 0 ] && [ "$f" = 0 ]; then
        if [ $rc -eq 0 ]; then p=1; else f=1; fi
    elif [ $rc -ne 0 ] && [ "$f" = 0 ]; then
        f=1
    fi
    [ "$f" != 0 ] && failed_names="$failed_names $t"
    passed=$((passed + p))
    failed=$((failed + f))
    rm -f "$out"
done
if [ -n "$failed_names" ]; then
    echo "failing:$failed_names"
fi
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
