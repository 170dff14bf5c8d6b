"""Prometheus, as Debian ships it (prometheus, prometheus-node-exporter):

- contrib/prometheus/leakagent.rules.yml passes `promtool check rules` and
  its unit tests, contrib/prometheus/leakagent.rules.test.yml, pass
  `promtool test rules`;
- node_exporter's textfile collector, on 127.0.0.1, reads the files the
  agent writes (prometheus.textfile) in real processes of /usr/bin/python3:
  exact counts, no scrape error, `promtool check metrics` clean on what it
  serves; a process that exits takes its series along, and one killed with
  SIGKILL loses them at the next agent's first snapshot;
- a Prometheus server, on 127.0.0.1, scrapes that node_exporter with the
  rules loaded: they evaluate without error and the agent's series are
  queryable.

Run by /usr/bin/python3 from make check; ends with "N passed, N failed".
"""

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
import urllib.parse

import realprog
from realprog import ROOT, Checks

PROMTOOL = "/usr/bin/promtool"
NODE_EXPORTER = "/usr/bin/prometheus-node-exporter"
PROMETHEUS = "/usr/bin/prometheus"
RULES = os.path.join(ROOT, "contrib", "prometheus", "leakagent.rules.yml")
RULE_TESTS = os.path.join(ROOT, "contrib", "prometheus", "leakagent.rules.test.yml")

# A host: starts the agent with the textfile in argv[1], keeps 1234 Widgets,
# says its pid once the first snapshot is written, then waits for a line on
# stdin (or exits at once with argv[2] == "exit").
HOST = textwrap.dedent("""
    import os, sys, leakagent
    class Widget: pass
    keep = [Widget() for _ in range(1234)]
    d = sys.argv[1]
    leakagent.start(interval="200ms", log_path=d + "/mc.%p.log",
                    textfile=d + "/textfile/leakagent.%p.prom")
    leakagent.sample_now()
    print(os.getpid(), flush=True)
    if sys.argv[2] != "exit":
        sys.stdin.readline()
""")


def promtool(c):
    res = subprocess.run([PROMTOOL, "check", "rules", RULES], capture_output=True, text=True)
    c.check("promtool check rules " + os.path.relpath(RULES, ROOT),
            res.returncode == 0 and "SUCCESS" in res.stdout, res.stdout + res.stderr)
    res = subprocess.run([PROMTOOL, "test", "rules", RULE_TESTS], capture_output=True,
                         text=True, cwd=os.path.dirname(RULE_TESTS))
    c.check("promtool test rules " + os.path.relpath(RULE_TESTS, ROOT),
            res.returncode == 0 and "SUCCESS" in res.stdout, res.stdout + res.stderr)


def scrape(port):
    status, body = realprog.http_get("http://127.0.0.1:%d/metrics" % port)
    return body.decode() if status == 200 else ""


def ours(text):
    """The lines of a scrape about the agent's metrics, HELP and TYPE included."""
    return "".join(line + "\n" for line in text.splitlines()
                   if re.match(r"(# (HELP|TYPE) )?(python_|leakagent_)", line))


def pids_in(text):
    return set(int(p) for p in re.findall(r'^python_objects\{.*pid="(\d+)"', text, re.M))


def host(python, d, mode):
    p = subprocess.Popen([python, "-c", HOST, d, mode], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=realprog.clean_env())
    pid = int(p.stdout.readline() or 0)
    return p, pid


def start_node_exporter(d):
    """node_exporter on 127.0.0.1 with only the textfile collector, reading
    d/textfile; (process, port)."""
    port = realprog.free_port()
    ne = subprocess.Popen([NODE_EXPORTER, "--web.listen-address=127.0.0.1:%d" % port,
                           "--collector.disable-defaults", "--collector.textfile",
                           "--collector.textfile.directory=" + os.path.join(d, "textfile")],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return ne, port


def node_exporter(c, python, d, port, hosts):
    """The textfile checks; the hosts started go into `hosts`.  Returns the
    one left running."""
    a, a_pid = host(python, d, "wait")
    hosts.append(a)
    b, b_pid = host(python, d, "exit")
    b.wait(30)
    k, k_pid = host(python, d, "wait")
    hosts.append(k)
    text = realprog.poll(lambda: a_pid in pids_in(scrape(port)) and scrape(port),
                         "node_exporter serving pid %d's textfile" % a_pid, 30)
    c.check("node_exporter on 127.0.0.1 serves the agent's exact counts",
            re.search(r'^python_objects\{[^}]*pid="%d"[^}]*,type="__main__.Widget"\} 1234$'
                      % a_pid, text, re.M) is not None, ours(text)[:2000])
    c.check("... with no textfile scrape error",
            re.search(r"^node_textfile_scrape_error 0$", text, re.M) is not None,
            [ln for ln in text.splitlines() if "textfile" in ln])
    c.check("... the GIL time in seconds (leakagent_sample_seconds)",
            "leakagent_sample_seconds{" in text and "milliseconds" not in text)
    res = subprocess.run([PROMTOOL, "check", "metrics"], input=ours(text),
                         capture_output=True, text=True)
    c.check("promtool check metrics: the agent's metrics are clean",
            res.returncode == 0 and not res.stdout.strip() and not res.stderr.strip(),
            res.stdout + res.stderr)
    c.check("a process that exited left no series", b_pid not in pids_in(text),
            sorted(pids_in(text)))
    # A worker killed outright leaves its file; the next agent to start
    # removes it once it is three intervals old (200 ms here).
    k.kill()
    k.wait()
    c.check("a killed process's series stay while nothing cleans up",
            k_pid in pids_in(scrape(port)))
    time.sleep(1.0)
    n, n_pid = host(python, d, "wait")
    hosts.append(n)
    text = realprog.poll(lambda: n_pid in pids_in(scrape(port)) and scrape(port),
                         "the new process's series", 30)
    c.check("... and go with the next agent's first snapshot", k_pid not in pids_in(text),
            sorted(pids_in(text)))
    a.stdin.close()
    a.wait(30)
    text = realprog.poll(lambda: a_pid not in pids_in(scrape(port)) and scrape(port),
                         "pid %d's series to go" % a_pid, 30)
    c.check("a process that exits takes its series along", n_pid in pids_in(text))
    return n


def prometheus(c, tmp, ne_port, n_pid):
    d = os.path.join(tmp, "prom")
    os.makedirs(d)
    port = realprog.free_port()
    conf = os.path.join(d, "prometheus.yml")
    with open(conf, "w") as f:
        f.write(textwrap.dedent("""\
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files: [%s]
            scrape_configs:
              - job_name: node
                static_configs:
                  - targets: ["127.0.0.1:%d"]
            """ % (RULES, ne_port)))
    proc = subprocess.Popen([PROMETHEUS, "--config.file=" + conf,
                             "--storage.tsdb.path=" + os.path.join(d, "data"),
                             "--web.listen-address=127.0.0.1:%d" % port],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    api = "http://127.0.0.1:%d/api/v1/" % port

    def get(path):
        status, body = realprog.http_get(api + path)
        return json.loads(body) if status == 200 else None
    try:
        query = "query?query=" + urllib.parse.quote(
            'python_objects{type="__main__.Widget",pid="%d"}' % n_pid)
        res = realprog.poll(lambda: (get(query) or {}).get("data", {}).get("result"),
                            "Prometheus scraping the agent's series", 60, every=0.5)
        c.check("Prometheus on 127.0.0.1 scrapes the agent's series through node_exporter",
                res[0]["value"][1] == "1234", res)

        def evaluated():
            groups = ((get("rules") or {}).get("data") or {}).get("groups") or []
            rules = [r for g in groups for r in g["rules"]]
            return len(rules) == 6 and all(r.get("lastEvaluation", "").startswith("2")
                                           and not r["lastEvaluation"].startswith("0001")
                                           for r in rules) and rules
        rules = realprog.poll(evaluated, "the rules evaluated", 60, every=0.5)
        c.check("... and evaluates leakagent.rules.yml without error",
                all(r["health"] == "ok" for r in rules),
                [(r["name"], r["health"], r.get("lastError")) for r in rules])
    finally:
        code = realprog.stop_process(proc)
    c.check("Prometheus stops on SIGTERM", code == 0, proc.stderr.read()[-2000:])


def main():
    c = Checks()
    if not c.need(PROMTOOL, NODE_EXPORTER, PROMETHEUS, realprog.DEBIAN_PYTHON):
        return c.summary()
    promtool(c)
    tmp = realprog.tmpdir("prometheus")
    python = realprog.debian_venv(tmp)
    d = os.path.join(tmp, "ne")
    os.makedirs(os.path.join(d, "textfile"))
    ne, port = start_node_exporter(d)
    hosts = []
    try:
        running = node_exporter(c, python, d, port, hosts)
        prometheus(c, tmp, port, running.pid)
    except AssertionError as e:
        c.check("node_exporter and Prometheus serve the agent's files", False, e)
    finally:
        for p in hosts:
            if p.poll() is None:
                p.stdin.close()
                if realprog.stop_process(p, signal.SIGTERM, timeout=10) is None:
                    print("  host %d had to be killed" % p.pid)
        code = realprog.stop_process(ne)       # it dies of the signal: no handler
        c.check("node_exporter stops on SIGTERM", code in (0, -signal.SIGTERM),
                "exit %s: %s" % (code, ne.stderr.read()[-2000:]))
    return c.summary()


if __name__ == "__main__":
    sys.exit(main())
