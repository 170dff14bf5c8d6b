"""format_table: the one table `make bench` prints (and the README quotes).

Usage: python3 tests/bench/format_table.py RESULTS.jsonl
Reads the JSON lines the bench scripts printed (snapshot_cost.py,
agent_cost.py, leakplot_bench.py, and the driver's "meta" and "error"
lines) and prints a Markdown table: each comparison with the median of
ours, the median of the tool people use today, the ratio, and the issue-6
target with met / missed.  Stdlib only.
"""

import json
import sys

MiB = 1024.0 * 1024.0


def size_label(n):
    return {100000: "100k", 1000000: "1M", 3000000: "3M"}.get(n, "{:,}".format(n))


def verdict(ok):
    return "met" if ok else "**missed**"


def pct(ratio):
    return "%+.1f%%" % ((ratio - 1.0) * 100.0)


def snapshot_rows(rows):
    """Two rows per (python, state): against the listing and against objgraph."""
    out = []
    groups = {}
    for r in rows:
        groups.setdefault((r["python"], r["state"]), []).append(r)
    for (py, state), rs in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] != "fresh")):
        rs.sort(key=lambda r: r["size"])
        case = "%s %s, %s objects" % (py, state, " / ".join(size_label(r["size"]) for r in rs))

        def ns(key):
            return " / ".join("%.1f" % (r[key] * 1e9 / r["objects"]) for r in rs)
        ours = ns("snapshot_s") + " ns/obj"
        ratios = [r["snapshot_s"] / r["get_objects_s"] for r in rs]
        out.append(["1 snapshot() vs len(gc.get_objects())", case, ours,
                    ns("get_objects_s") + " ns/obj",
                    " / ".join("%.2f" % x for x in ratios) + "x",
                    "<= 1.0x: " + verdict(max(ratios) <= 1.0)])
        if all("objgraph_s" in r for r in rs):
            fast = [r["objgraph_s"] / r["snapshot_s"] for r in rs]
            out.append(["1 snapshot() vs objgraph.typestats()", case, "(as above)",
                        ns("objgraph_s") + " ns/obj",
                        " / ".join("%.0f" % x for x in fast) + "x faster",
                        ">= 30x: " + verdict(min(fast) >= 30)])
    return out


def dirty_rows(rows):
    if not rows:
        return []
    rows = sorted(rows, key=lambda r: r["python"])
    pys = " / ".join(r["python"] for r in rows)
    worst = max(r["snapshot"] for r in rows)
    return [["1 private memory dirtied in a forked child",
             "%s, %s objects" % (pys, size_label(rows[0]["size"])),
             " / ".join("%.2f" % (r["snapshot"] / MiB) for r in rows) + " MiB",
             "get_objects: " + " / ".join("%.0f" % (r["get_objects"] / MiB) for r in rows) + " MiB",
             " / ".join("1/%.0f" % (r["get_objects"] / max(r["snapshot"], 4096)) for r in rows),
             "< 1 MiB: " + verdict(worst < MiB)]]


def detail_rows(rows):
    """Issue 16: the detailed walk (referents, sizes, containers) against
    today's counts-only walk and against one len(gc.get_objects()), and a
    forked child's dirty pages after one detailed snapshot."""
    out = []
    for r in sorted(rows, key=lambda r: (r["python"], r["state"] != "fresh")):
        case = "%s %s, %s objects" % (r["python"], r["state"], size_label(r["size"]))
        per = lambda key: "%.1f ns/obj" % (r[key] * 1e9 / r["objects"])
        ratio = r["details_s"] / r["counts_s"]
        out.append(["16 snapshot(details) vs today's walk", case, per("details_s"),
                    per("counts_s"), "%.2fx" % ratio, "<= 2.5x: " + verdict(ratio <= 2.5)])
        ratio = r["details_s"] / r["get_objects_s"]
        out.append(["16 snapshot(details) vs len(gc.get_objects())", case, "(as above)",
                    per("get_objects_s"), "%.2fx" % ratio, "<= 1.5x: " + verdict(ratio <= 1.5)])
        if "dirty_details" in r:
            out.append(["16 private memory dirtied in a forked child, details", case,
                        "%.2f MiB" % (r["dirty_details"] / MiB),
                        "nothing: %.2f MiB" % (r["dirty_nothing"] / MiB), "",
                        "< 1 MiB: " + verdict(r["dirty_details"] < MiB)])
    return out


def exact_rows(rows):
    """Issue 16: exact mode's slowdown of an allocation loop, beside
    tracemalloc's on the same loop."""
    out = []
    for r in rows:
        case = "%s, %s iterations" % (r["python"], "{:,}".format(r["iterations"]))
        ratio = r["exact_s"] / r["alone_s"]
        out.append(["16 exact mode: allocation loop slowdown", case, "%.3f s" % r["exact_s"],
                    "alone %.3f s; tracemalloc %.3f s (%.2fx)" % (
                        r["alone_s"], r["tracemalloc_s"], r["tracemalloc_s"] / r["alone_s"]),
                    "%.2fx" % ratio, "<= 1.15x: " + verdict(ratio <= 1.15)])
    return out


def gil_rows(rows):
    out = []
    for r in rows:
        out.append(["2 GIL held (sample_ms) vs whole snapshot",
                    "%s, %s objects, rotate + gzip every snapshot" % (r["python"], size_label(
                        round(r["objects"], -5))),
                    "%.1f ms held" % (r["held_s"] * 1e3),
                    "%.1f ms total (sample_now)" % (r["total_s"] * 1e3),
                    "%.0f%% of it under the GIL" % (100.0 * r["held_s"] / r["total_s"]),
                    "walk only under the GIL (format, write, rotate, gzip: %.1f ms without)"
                    % ((r["total_s"] - r["held_s"]) * 1e3)])
    return out


def overhead_rows(rows):
    out = []
    for r in rows:
        spread = "%s (%s .. %s)" % (pct(r["ratio"]), pct(r["ratio_min"]), pct(r["ratio_max"]))
        if r["interval"] == "60s":
            target = "within noise: " + verdict(r["ratio_min"] <= 1.0 <= r["ratio_max"]
                                                or r["ratio"] <= 1.0)
        else:
            target = "< 2%%: %s (walk share %.2f%%)" % (verdict(r["ratio"] < 1.02),
                                                       100.0 * r["walk_share"])
        out.append(["3 host slowdown, %s workload" % r["workload"],
                    "%s, agent at %s, %s objects, %d runs" % (
                        r["python"], r["interval"], size_label(round(r["objects"], -5)), r["reps"]),
                    "on %.2f s" % r["on_s"], "off %.2f s" % r["off_s"],
                    spread, target])
    return out


def memory_rows(rss, log):
    out = []
    for r in rss:
        out.append(["4 agent's own resident memory", "%s, %s objects, import + start + 5 snapshots"
                    % (r["python"], size_label(round(r["objects"], -5))),
                    "+%.2f MiB (import alone +%.2f)" % (r["rss_agent"] / MiB, r["rss_import"] / MiB),
                    "host %.0f MiB" % (r["rss_host"] / MiB),
                    "%.2f%% of the host" % (100.0 * r["rss_agent"] / r["rss_host"]), "-"])
    for r in log:
        day_raw = 1440 * r["raw"]
        day_gz = 1440 * r["gz"]
        out.append(["4 log per snapshot", "%d lines (types + header)" % r["lines"],
                    "%.1f KiB raw" % (r["raw"] / 1024), "%.1f KiB gzip -6" % (r["gz"] / 1024),
                    "%.1fx smaller gzipped" % (r["raw"] / r["gz"]), "-"])
        cap = 10 * MiB + 10 * 10 * MiB * r["gz"] / r["raw"]
        out.append(["4 disk per day at the defaults", "60 s interval, 10MB x keep 10, gzip",
                    "%.1f MiB/day written" % (day_raw / MiB),
                    "%.1f MiB/day kept (gzip)" % (day_gz / MiB),
                    "all kept files <= %.0f MiB = %.0f days" % (
                        cap / MiB, 11 * 10 * MiB / day_raw), "-"])
    return out


def leakplot_rows(rows):
    out = []
    for r in rows:
        month = "a month, 300 types, %.0f MB, %.1fM lines" % (r["month_bytes"] / 1e6,
                                                              r["month_lines"] / 1e6)
        for kind, lp, mawk, what in (("plain", "check_plain_s", "mawk_plain_s", "mawk sum"),
                                     ("gzip", "check_gz_s", "mawk_gz_s", "zcat, mawk sum")):
            if lp in r and mawk in r:
                ratio = r[mawk] / r[lp]
                out.append(["5 leakplot --check vs mawk, %s" % kind, month,
                            "%.2f s" % r[lp], "%s %.2f s" % (what, r[mawk]),
                            "%.1fx faster" % ratio, ">= 4x (issue 4): " + verdict(ratio >= 4)])
        if "recipe_day_s" in r:
            ratio = r["recipe_day_s"] / r["draw_day_s"]
            out.append(["5 draw one day vs matplotlib recipe", "a day, 300 types (1 recipe run)",
                        "%.2f s" % r["draw_day_s"], "recipe %.1f s" % r["recipe_day_s"],
                        "%.0fx faster" % ratio, ">= 50x (issue 5): " + verdict(ratio >= 50)])
        ratio = r["draw_month_s"] / r["check_plain_s"]
        out.append(["5 draw a month vs --check it", month, "draw %.2f s" % r["draw_month_s"],
                    "--check %.2f s" % r["check_plain_s"], "%.2fx" % ratio,
                    "<= 1.5x (issue 5): " + verdict(ratio <= 1.5)])
    return out


def chain_rows(rows):
    """Issue 17: referrer chains' GIL time per pass and per chain, and the
    slowdown of a leaking host at the defaults."""
    out = []
    for r in rows:
        if r["item"] == "chain":
            out.append(["17 GIL held per referrer pass (longest; mean)",
                        "%s, %s objects, 2 leaks, budget 50 ms" % (
                            r["python"], size_label(round(r["objects"], -5))),
                        "%.1f ms; %.1f ms over %d passes" % (r["pass_ms_max"], r["pass_ms_mean"],
                                                            r["passes"]),
                        "explain(): %.0f ms (Item), %.0f ms (Channel)" % (
                            r["explain_item_s"] * 1e3, r["explain_channel_s"] * 1e3),
                        "%.1f ms GIL per chain" % r["per_chain_ms"],
                        "<= 55 ms a pass, roots found: " + verdict(
                            r["pass_ms_max"] <= 55 and r["records"] >= 2 and not r["errors"])])
        else:
            spread = "%s (%s .. %s)" % (pct(r["ratio"]), pct(r["ratio_min"]), pct(r["ratio_max"]))
            share = " (GIL: chains %.3f%%, snapshots %.2f%% of the run)" % (
                100.0 * r["chain_share"], 100.0 * r["walk_share"])
            if r["interval"] == "60s":
                target = "within noise: " + verdict(r["ratio_min"] <= 1.0 <= r["ratio_max"]
                                                    or r["ratio"] <= 1.0) + share
            else:
                target = "< 1%: " + verdict(r["ratio"] < 1.01) + share
            out.append(["17 host slowdown, leaking host, defaults (chains auto)",
                        "%s, agent at %s, %s objects, %d runs, %.1f passes a run" % (
                            r["python"], r["interval"], size_label(round(r["objects"], -5)),
                            r["reps"], r["passes"]),
                        "on %.2f s" % r["on_s"], "off %.2f s" % r["off_s"], spread, target])
    return out


def main():
    results = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    by = {}
    for r in results:
        by.setdefault(r["item"], []).append(r)
    table = (snapshot_rows(by.get("snapshot", [])) + dirty_rows(by.get("dirty", []))
             + gil_rows(by.get("gil", [])) + overhead_rows(by.get("overhead", []))
             + memory_rows(by.get("rss", []), by.get("log", []))
             + leakplot_rows(by.get("leakplot", []))
             + detail_rows(by.get("detail", [])) + exact_rows(by.get("exact", []))
             + chain_rows(by.get("chain", []) + by.get("chain_overhead", [])))
    head = ["comparison", "case", "leakagent / leakplot", "today's tool / baseline",
            "ratio (slowdown: median (min .. max))", "target"]
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---" for _ in head) + "|")
    for row in table:
        print("| " + " | ".join(row) + " |")
    print()
    for m in by.get("meta", []):
        print("Medians of one `make bench` run: %s; %d CPUs; load average %s at the start, "
              "%s at the end; %d s in all." % (m.get("date", "?"), m.get("cpus", 0),
                                               m.get("load_start", "?"), m.get("load_end", "?"),
                                               m.get("seconds", 0)))
    for e in by.get("error", []):
        print("MISSING: %s (%s)" % (e.get("part"), e.get("why")))
    missed = sum(1 for row in table if "missed" in row[-1])
    print("%d targets met, %d missed" % (sum(1 for row in table if ": met" in row[-1]), missed))


if __name__ == "__main__":
    main()
