# check_lib.sh: the few lines every shell test shares; source it.
#   check NAME COMMAND...   run COMMAND, count and print ok/FAILED
#   check_summary           print "N passed, N failed"; return 1 on failure
pass=0
fail=0
check() {
    name=$1; shift
    if "$@"; then pass=$((pass + 1)); echo "ok: $name"
    else fail=$((fail + 1)); echo "FAILED: $name"; fi
}
check_summary() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}
