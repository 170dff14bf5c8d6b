#!/bin/sh
# Regenerate the real-agent fixtures (a few minutes each, run in parallel):
# the agent built in this tree, under a plain-Python service (service.py).
# Usage (from the top directory, after make): tests/corpus/real/make_fixtures.sh
# Each fixture is NAME.log.gz; labels.json in this directory says what must
# be flagged (written by hand from what each run does, not from leakplot).
cd "$(dirname "$0")/../../.." || exit 2
D=tests/corpus/real
run() {   # name, service arguments...
    name=$1; shift
    rm -f "$D/$name.log" "$D/$name.log.gz"
    PYTHONPATH=agent/python python3 -m leakagent -c "$D/agent.yaml" -o "log.path=$D/$name.log" \
        "$D/service.py" "$@" && gzip -9 -n "$D/$name.log"
}
run leak --seconds 240 --leak-every 20 &
run quiet --seconds 240 &
run leak_slow --seconds 300 --leak-every 400 &
run paused --seconds 240 --leak-every 10 --pause-at 0.6 &
# worker recycling: three runs of one program appending to one log
( rm -f "$D/recycled.log" "$D/recycled.log.gz"
  for k in 1 2 3; do
      PYTHONPATH=agent/python python3 -m leakagent -c "$D/agent.yaml" \
          -o "log.path=$D/recycled.log" "$D/service.py" --seconds 80 --leak-every 15
  done && gzip -9 -n "$D/recycled.log" ) &
wait
