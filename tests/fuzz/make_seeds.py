#!/usr/bin/env python3
"""make_seeds.py: (re)write the fuzzers' seed corpora, tests/fuzz/seeds/.

The seeds are committed; this script says where each came from and makes
them again after the sources change.  Run from anywhere:
    python3 tests/fuzz/make_seeds.py
cfg/: the repository's example configs, every config text in
      tests/test_cfg.c (each key, each error class), YAML forms the loader
      meets (anchors, flow and block style, tags, block scalars, UTF-16),
      and override lines after a NUL byte (see fuzz_cfg.c).
log/: small logs: the fixtures and the contrib example trimmed to a few KB
      (but over the detector's 30 snapshots), the old objgraph format, two
      processes in one file, a restart, CRLF, damage of every kind the
      reader survives, gzip (one member, two members, cut short, bad CRC)
      and several LOG arguments in one input (see fuzz_log.c).
Every seed stays under 8 KB; the whole corpus well under 1 MB."""
import gzip
import os
import re
import shutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SEEDS = os.path.join(ROOT, "tests", "fuzz", "seeds")
NEXT_FILE = b"#FUZZ-NEXT-FILE\n"    # fuzz_log.c's file separator


def write(kind, name, data):
    if isinstance(data, str):
        data = data.encode()
    assert len(data) <= 8192, (name, len(data))
    with open(os.path.join(SEEDS, kind, name), "wb") as f:
        f.write(data)


def gz(text, mtime=0):
    return gzip.compress(text if isinstance(text, bytes) else text.encode(), mtime=mtime)


# ---- cfg ----------------------------------------------------------------

def c_strings(source):
    """The C string literals passed as config text in test_cfg.c: the
    first argument after `cfg, ` of load() and assert_refused(), with
    adjacent literals joined and escapes decoded."""
    lit = r'"(?:[^"\\]|\\.)*"'
    for m in re.finditer(r'(?:load|assert_refused)\(cfg,\s*((?:%s\s*)+)' % lit, source):
        parts = re.findall(lit, m.group(1))
        yield "".join(bytes(p[1:-1], "utf-8").decode("unicode_escape") for p in parts)
    # test_every_key builds its text in a variable
    m = re.search(r'const char \*text =\s*((?:%s\s*)+);' % lit, source)
    if m:
        yield "".join(bytes(p[1:-1], "utf-8").decode("unicode_escape")
                      for p in re.findall(lit, m.group(1)))


CFG_FORMS = {
    "anchors.yaml": "log: &l {path: /tmp/a.log, keep: 3}\nsample: *l\n",
    "alias_list.yaml": "sample:\n  include: &p [\"a.*\", b]\n  exclude: *p\n",
    "self_alias.yaml": "sample:\n  include: &a [*a]\n",
    "flow.yaml": "{enabled: yes, interval: 1.5m, log: {max_size: 0, compress: off},"
                 " gauges: [rss, blocks]}\n",
    "tags.yaml": "interval: !!str 10s\nlog:\n  keep: !!int 3\n  path: !custom x.log\n",
    "block_scalars.yaml": "log:\n  path: |\n    /tmp/multi\n    line.log\n"
                          "prometheus:\n  textfile: >-\n    /tmp/folded\n    name.prom\n",
    "quoted.yaml": "log:\n  path: \"/tmp/\\u00e9t\\xe9 %% %p\\t.log\"\n"
                   "prometheus:\n  textfile: 'it''s.prom'\n",
    "nul_escape.yaml": "interval: \"5s\\0junk\"\n",
    "nulls.yaml": "log:\nsample: ~\nprometheus:\n  textfile: null\ngauges: []\n",
    "null_key.yaml": "? [a, b]\n: 1\n",
    "complex_key.yaml": "{a: 1}: 2\n",
    "bom.yaml": "\ufeffinterval: 5s\n",
    "crlf.yaml": "interval: 5s\r\nlog:\r\n  keep: 2\r\n",
    "tabs.yaml": "log:\n\tkeep: 2\n",
    "deep.yaml": "sample:\n  include: " + "[" * 40 + "]" * 40 + "\n",
    "directive.yaml": "%YAML 1.1\n%TAG ! tag:x,2000:\n---\ninterval: 5s\n...\n",
    "two_docs.yaml": "---\ninterval: 5s\n---\n",
    "long_key.yaml": "log:\n  " + "k" * 200 + ": 1\n",
    "big_numbers.yaml": "log:\n  max_size: 1e300GB\n  keep: 99999999999999999999999\n"
                        "sample:\n  min_count: 4611686018427387904\n  top: 10000000\n",
    "units.yaml": "interval: 0.01s\nlog:\n  max_size: 1.5 GiB\nmax_overhead: 100 %\n",
    "percent_path.yaml": "log:\n  path: \"%%%p%h%n%\"\n",
    "gauges_typo.yaml": "gauges: [rss, gc_object, sample_MS]\n",
    "sections_typo.yaml": "samples:\n  top: 5\nlogg:\n  keep: 1\n",
    "misplaced.yaml": "keep: 3\ncollect: true\ntextfile: x\n",
}

# YAML, a NUL byte, then override lines (fuzz_cfg.c).
CFG_OVERRIDES = {
    "override_scalars": "interval: 5s\n\0interval=10s\nlog_path=/tmp/%p.%h.log\nmax_size=1KB\n"
                        "top=5\nkeep=1001\ncompress=sometimes\nmax_overhead=0.5%\n",
    "override_lists": "\0include=[myapp.*,dict]\nexclude=[]\ngauges=[rss,nope]\n"
                      "gauges=[blocks]\nsample.exclude=[,]\n",
    "override_unknown": "\0intervall=5s\npath=x\nlog_keep=2\nprometheus_textfile=/tmp/p\n"
                        "gauges=rss\ninterval=[1s]\n=\nnoequals\n",
    "override_names": "log:\n  path: \"%n/%h-%p.log\"\n\0%h=web/1\n%n=a/b\nlog.path=%n.%h\n",
}


def make_cfg():
    for src, name in (("config/leakagent.yaml", "example.yaml"),
                      ("contrib/c-api/leakagent.yaml", "c-api.yaml"),
                      ("contrib/demo/leakagent-demo.yaml", "demo.yaml")):
        shutil.copyfile(os.path.join(ROOT, src), os.path.join(SEEDS, "cfg", name))
    with open(os.path.join(ROOT, "tests", "test_cfg.c"), encoding="utf-8") as f:
        texts = list(dict.fromkeys(c_strings(f.read())))
    for i, text in enumerate(texts):
        write("cfg", "test_cfg_%02d.yaml" % i, text)
    for name, text in CFG_FORMS.items():
        write("cfg", name, text)
    write("cfg", "utf16.yaml", "interval: 5s\nlog:\n  keep: 2\n".encode("utf-16"))
    for name, text in CFG_OVERRIDES.items():
        write("cfg", name, text)


# ---- log ----------------------------------------------------------------

def snapshots(text):
    """[(header lines before it, #START line, [type lines])]."""
    out, pending = [], []
    for line in text.splitlines(True):
        if line.startswith("#START"):
            out.append([pending, line, []])
            pending = []
        elif line.startswith("#"):
            pending.append(line)
        elif out:
            out[-1][2].append(line)
    return out


def trim(text, every, keep_types):
    """Every `every`-th snapshot, keeping only the named types."""
    lines = []
    for i, (hdr, start, types) in enumerate(snapshots(text)):
        if i % every:
            continue
        lines += hdr + [start] + [t for t in types if t.rsplit(None, 1)[0] in keep_types]
    return "".join(lines)


def synthetic(n=40, t0=1763700000, step=60, pid=31337, header=True, old=False, grow=True):
    """A clear leak over n snapshots among a flat type and a sawtooth."""
    out = []
    if header:
        out.append("# leakagent 1 pid=%d host=web-1 program=consumer python=3.11.7"
                   " interval=%d\n" % (pid, step))
    for i in range(n):
        if old:
            out.append("#START %d\n" % (t0 + i * step))
        else:
            out.append("#START %d.125 pid=%d rss=%d blocks=%d gc_objects=%d sample_ms=3.%d\n"
                       % (t0 + i * step, pid, 52428800 + (i * 65536 if grow else 0),
                          412345 + (i * 500 if grow else 0), 98765 + i * 40, i % 10))
        counts = [("dict", 378631 + (i % 3)), ("list", 1000 + (i % 7) * 100),
                  ("myapp.Leak", 1200 + (i * 400 if grow else 0))]
        for name, c in counts:
            out.append(("%-30s %d\n" if old else "%s %d\n") % (name, c))
    return "".join(out)


def make_log():
    with open(os.path.join(ROOT, "tests/fixtures/plot/leak.log")) as f:
        leak = trim(f.read(), 5, {"amqplib.client_0_8.Message", "dict"})
    with open(os.path.join(ROOT, "tests/fixtures/plot/quiet.log")) as f:
        quiet = trim(f.read(), 5, {"dict", "myapp.models.Thing4"})
    with gzip.open(os.path.join(ROOT, "contrib/example/most_common.log.gz"), "rt") as f:
        example = trim(f.read(), 3, {"leaky_service.Session", "list"})
    with open(os.path.join(ROOT, "tests/fixtures/plot/chains.log")) as f:
        # every 3rd of the first 46 snapshots: two with #CHAIN records
        chains = trim("".join(line for hdr, start, types in snapshots(f.read())[:46]
                              for line in hdr + [start] + types), 3, {"leaky.Channel"})
    write("log", "fixture_leak.log", leak)
    write("log", "fixture_quiet.log", quiet)
    write("log", "fixture_chains.log", chains)
    write("log", "damaged_chains.log",
          "#START 10 pid=1\ndict 5\n#CHAIN a.B auto 1/1 global:m.X b@0x1:.a c@0x2:['k:v@w']\n"
          "#CHAIN\n#CHAIN a.B\n#CHAIN a.B auto 0/0 depth\n#CHAIN a.B auto 2/1 depth\n"
          "#CHAIN a.B auto 1/1 frame:t:f\n#CHAIN a.B auto 1/1 frame:a:b:c:d x@0xg:.y\n"
          "#CHAIN a.B auto 1/1 external:99999999999999999999\n#CHAIN a.B gone: 1/1 unknown\n"
          "#CHAIN a.B gone:x 1/1 class:m.C.a list@0x5:[<int>] @0x6:.z\n#GONE x 1 2 3\n"
          "#GONE\n#GONE x -1\n#CHAIN \xff\xfe auto 1/1 global:\xc3\xa9 d@0x7:['\xe2\x80']\n"
          "#START 20 pid=1\n#CHAIN a.B auto 1/1 global:m.X b@0x1:.a c@0x2:['k:v@w']\n")
    write("log", "example.log", example)
    write("log", "example.log.gz", gz(example))
    write("log", "synthetic_leak.log", synthetic())
    write("log", "synthetic_flat.log", synthetic(grow=False))
    write("log", "old_objgraph.log", synthetic(header=False, old=True))
    a, b = (snapshots(synthetic(n=31, pid=pid, t0=1763700000 + 20 * pid)) for pid in (1, 2))
    two = "".join(a[0][0] + b[0][0] + [line for x, y in zip(a, b)
                                       for line in [x[1]] + x[2] + [y[1]] + y[2]])
    write("log", "two_processes.log", two)
    restart = synthetic(n=31) + synthetic(n=31, t0=1763702000)
    write("log", "restart_same_pid.log", restart)
    write("log", "crlf.log", synthetic(n=32).replace("\n", "\r\n"))
    text = synthetic(n=32)
    cut = text.index("#START", len(text) // 2)      # at a snapshot, as `cat a.gz b.gz`
    write("log", "gzip_two_members.log.gz", gz(text[:cut]) + gz(text[cut:]))
    whole = gz(text)
    write("log", "gzip_cut.log.gz", whole[:len(whole) * 2 // 3])
    bad_crc = bytearray(whole)
    bad_crc[-8] ^= 0xff
    write("log", "gzip_bad_crc.log.gz", bytes(bad_crc))
    write("log", "gzip_trailing_garbage.log.gz", whole + b"garbage\n")
    write("log", "damaged.log",
          "# leakagent x pid=1\n# leakagent 1 pid=-3 host= program\n#START\n#START nan\n"
          "#START 1e999 pid=1\ndict 5\n#START 10 pid=1.5 rss=1e400 =3 x=\ndict 5\n"
          "dict\n 7\n  dict   18446744073709551616\nname with spaces 3\n#STARTX 1\n"
          "\x00\x01\xff 2\n#START 20 pid=99999999999999999999\ndict 1\ndict 2\n[rss] 4\n"
          "#START 30 rss=1 rss=2\nlist 4294967295\nlist 4294967296\n#START -5\ndict 3\n"
          "#START 30\ndict 9\n#START 40\ntruncated 12")
    write("log", "no_snapshot.log", "# leakagent 1 pid=1 host=h program=p\n# just comments\n")
    write("log", "empty.log", "")
    write("log", "multi_file.log", synthetic(n=16).encode() + NEXT_FILE
          + synthetic(n=16, t0=1763701000, pid=7).encode() + NEXT_FILE
          + gz(synthetic(n=16, t0=1763702000, pid=7)))
    write("log", "multi_file_repeat.log", synthetic(n=32).encode() + NEXT_FILE + NEXT_FILE)
    write("log", "multi_file_second_empty.log", synthetic(n=8).encode() + NEXT_FILE
          + b"# leakagent 1 pid=3\n")


def main():
    for kind in ("cfg", "log"):
        d = os.path.join(SEEDS, kind)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    make_cfg()
    make_log()
    total = sum(os.path.getsize(os.path.join(dp, f))
                for dp, _, fs in os.walk(SEEDS) for f in fs)
    print("seeds: %d bytes in %s" % (total, os.path.relpath(SEEDS, ROOT)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
