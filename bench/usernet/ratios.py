#!/usr/bin/python3
"""jnet against the anchors, from usernet-bench.sh output lines
   (driver=D mtu=M metric=X value=V round=R).

One row per metric and jnet MTU: the median of every anchor (driver@mtu), jnet's median at that
MTU, jnet's ratio to each anchor, and which way is better. Derived per round before the median:
CPU per Gbit/s (driver_cpu_*_pct / tcp_*_gbps, % of one core per Gbit/s) and the share of fresh
ns->host throughput left after the connection churn. Then the issue's targets, met or not.

Usage: ratios.py [--jnet LABEL] [--jnet1500 LABEL] FILE...   (stdin if no file)
--jnet1500 names jnet's MTU 1500 driver for issue 17's table (default: one labelled LABEL1500)."""
import argparse
import collections
import statistics
import sys

# (metric, label, better, scale): better is "higher" or "lower"; value shown = raw * scale
METRICS = [
    ("tcp_ns_to_host_gbps", "TCP ns->host, Gbit/s", "higher", 1),
    ("tcp_host_to_ns_gbps", "TCP host->ns, Gbit/s", "higher", 1),
    ("tcp_ns_to_host_gbps_after_churn", "TCP ns->host after 4000 short conns, Gbit/s", "higher", 1),
    ("churn_retained", "after-churn / fresh ns->host (own)", "higher", 1),
    ("tcp_conn_per_s", "new TCP conns/s", "higher", 1),
    ("tcp_conn_per_s_1cpu", "new TCP conns/s, 1 CPU", "higher", 1),
    ("driver_cpu_us_per_conn", "driver CPU per new conn, us", "lower", 1),
    ("driver_cpu_us_per_conn_1cpu", "driver CPU per new conn, 1 CPU, us", "lower", 1),
    ("tcp_rr_median_us", "TCP 1-byte RR median, us", "lower", 1),
    ("tcp_rr_median_us_1cpu", "TCP 1-byte RR median, 1 CPU, us", "lower", 1),
    ("driver_cpu_us_per_rr", "driver CPU per 1-byte RR, us", "lower", 1),
    ("driver_cpu_us_per_rr_1cpu", "driver CPU per 1-byte RR, 1 CPU, us", "lower", 1),
    ("ping_rtt_avg_us", "ping RTT avg, us", "lower", 1),
    ("ping_rtt_min_us", "ping RTT min, us", "lower", 1),
    ("startup_ms", "start to ready, ms", "lower", 1),
    ("rss_idle_kb", "RSS idle, MB", "lower", 1 / 1024),
    ("rss_peak_ns_to_host_kb", "RSS peak ns->host, MB", "lower", 1 / 1024),
    ("rss_peak_host_to_ns_kb", "RSS peak host->ns, MB", "lower", 1 / 1024),
    ("rss_after_kb", "RSS after churn (end of run), MB", "lower", 1 / 1024),
    ("cpu_per_gbps_ns_to_host", "CPU per Gbit/s ns->host, % of a core", "lower", 1),
    ("cpu_per_gbps_host_to_ns", "CPU per Gbit/s host->ns, % of a core", "lower", 1),
    ("tcp_ns_to_host_retrans", "iperf3 retransmits ns->host", "lower", 1),
    ("tcp_host_to_ns_retrans", "iperf3 retransmits host->ns", "lower", 1),
]


def read(lines):
    """{(driver, mtu): {metric: {round: value}}}"""
    acc = collections.OrderedDict()
    for line in lines:
        f = dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
        if "metric" not in f or "value" not in f:
            continue
        try:
            v = float(f["value"])
        except ValueError:
            continue
        key = (f.get("driver", "-"), f.get("mtu", "-"))
        acc.setdefault(key, collections.defaultdict(dict))[f["metric"]][f.get("round", "1")] = v
    return acc


def derive(m):
    for d in ("ns_to_host", "host_to_ns"):
        cpu, gbps = m.get("driver_cpu_%s_pct" % d, {}), m.get("tcp_%s_gbps" % d, {})
        m["cpu_per_gbps_" + d] = {r: cpu[r] / gbps[r] for r in cpu if gbps.get(r)}
    fresh, after = m.get("tcp_ns_to_host_gbps", {}), m.get("tcp_ns_to_host_gbps_after_churn", {})
    m["churn_retained"] = {r: after[r] / fresh[r] for r in after if fresh.get(r)}


def median(m, metric):
    vs = list(m.get(metric, {}).values())
    return statistics.median(vs) if vs else None


def fmt(x):
    if x is None:
        return "-"
    if abs(x) >= 1000:
        return "%.0f" % x
    return "%.3g" % x


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jnet", default="jnet", help="driver label of jnet (default jnet)")
    ap.add_argument("--jnet1500", default=None, help="driver label of jnet at MTU 1500 (default: the --jnet label + 1500)")
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()
    lines = []
    for path in a.files or ["-"]:
        lines += (sys.stdin if path == "-" else open(path)).read().splitlines()
    acc = read(lines)
    for m in acc.values():
        derive(m)
    jnets = [k for k in acc if k[0] == a.jnet]
    anchors = [k for k in acc if k[0] != a.jnet]
    if not jnets:
        raise SystemExit("no lines of driver %s" % a.jnet)
    rounds = max((len(v) for m in acc.values() for v in m.values()), default=0)
    name = lambda k: "%s@%s" % k
    head = ["metric", "jnet MTU", "better"] + [name(k) for k in anchors] + ["**jnet**"] + \
        ["jnet / " + name(k) for k in anchors]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * 3 + "---:|" * (2 * len(anchors) + 1))
    for metric, label, better, scale in METRICS:
        for jk in jnets:
            j = median(acc[jk], metric)
            if j is None and all(median(acc[k], metric) is None for k in anchors):
                continue
            cells = [label, jk[1], better]
            av = [median(acc[k], metric) for k in anchors]
            cells += [fmt(v * scale) if v is not None else "-" for v in av]
            cells.append("**%s**" % fmt(j * scale) if j is not None else "-")
            cells += [("%.2f" % (j / v)) if j is not None and v else "-" for v in av]
            print("| " + " | ".join(cells) + " |")
    print()
    print("Medians of %d round(s); ratio = jnet / anchor (above 1 is better for \"higher\" rows, "
          "below 1 for \"lower\" rows)." % rounds)
    print()
    targets(acc, a.jnet)
    print()
    targets17(acc, a.jnet, a.jnet1500 or a.jnet + "1500")


def targets(acc, jl):
    """The issue's targets, for jnet at MTU 65520 (RSS targets at every MTU run)."""
    j = acc.get((jl, "65520"))
    slirp = acc.get(("slirp4netns", "65520"))
    pasta = next((acc[k] for k in acc if k[0] == "pasta"), None)
    rows = []

    def ratio(a, b):
        return a / b if a is not None and b else None

    def row(what, value, goal, ok):
        rows.append("| %s | %s | %s | %s |" % (what, fmt(value), goal,
                                                "-" if ok is None else ("met" if ok else "**missed**")))

    if j:
        for d, label in (("ns_to_host", "ns->host"), ("host_to_ns", "host->ns")):
            mj = median(j, "tcp_%s_gbps" % d)
            if pasta:
                r = ratio(mj, median(pasta, "tcp_%s_gbps" % d))
                row("TCP %s @65520: jnet / pasta" % label, r, ">= 1.0", None if r is None else r >= 1.0)
            if slirp:
                r = ratio(mj, median(slirp, "tcp_%s_gbps" % d))
                row("TCP %s @65520: jnet / slirp4netns@65520" % label, r, ">= 1.5", None if r is None else r >= 1.5)
        r = median(j, "churn_retained")
        row("ns->host after 4000 conns / own fresh", r, ">= 0.95", None if r is None else r >= 0.95)
        if pasta:
            r = ratio(median(j, "tcp_conn_per_s"), median(pasta, "tcp_conn_per_s"))
            row("new conns/s: jnet / pasta", r, ">= 1.0", None if r is None else r >= 1.0)
        if slirp:
            for sfx in ("", "_1cpu"):
                r = ratio(median(j, "tcp_rr_median_us" + sfx), median(slirp, "tcp_rr_median_us" + sfx))
                row("1-byte RR%s: jnet / slirp4netns@65520" % (", 1 CPU" if sfx else ""), r, "<= 1.2",
                    None if r is None else r <= 1.2)
    for k in sorted(k for k in acc if k[0] == jl):
        v = median(acc[k], "rss_idle_kb")
        row("RSS idle @%s, MB" % k[1], v and v / 1024, "<= 64", None if v is None else v / 1024 <= 64)
        v = median(acc[k], "rss_after_kb")
        row("RSS after 4000 conns @%s, MB" % k[1], v and v / 1024, "<= 96", None if v is None else v / 1024 <= 96)
    if rows:
        print("| target (issue 7) | measured | goal | |")
        print("|---|---:|---|---|")
        print("\n".join(rows))


def targets17(acc, jl, jl1500):
    """Issue 17's done-when: TCP both ways @65520 >= 1.0x pasta and >= 1.5x slirp4netns@65520; at
    MTU 1500 >= 5x slirp4netns@1500; new conns/s >= 1.0x pasta; 1-byte RR on one CPU <= 1.0x
    slirp4netns@65520; RSS after 4000 connections <= 96 MB."""
    j = acc.get((jl, "65520"))
    j1500 = acc.get((jl1500, "1500"))
    slirp = acc.get(("slirp4netns", "65520"))
    slirp1500 = acc.get(("slirp4netns", "1500"))
    pasta = acc.get(("pasta", "65520"))
    rows = []

    def check(what, a, b, goal, ok):
        r = a / b if a is not None and b else None
        rows.append("| %s | %s | %s | %s |" % (what, fmt(r), goal, "-" if r is None else ("met" if ok(r) else "**missed**")))

    dirs = (("ns_to_host", "ns->host"), ("host_to_ns", "host->ns"))
    if j:
        for d, label in dirs:
            mj = median(j, "tcp_%s_gbps" % d)
            if pasta:
                check("TCP %s @65520: jnet / pasta" % label, mj, median(pasta, "tcp_%s_gbps" % d), ">= 1.0", lambda r: r >= 1.0)
            if slirp:
                check("TCP %s @65520: jnet / slirp4netns@65520" % label, mj, median(slirp, "tcp_%s_gbps" % d), ">= 1.5",
                      lambda r: r >= 1.5)
    if j1500 and slirp1500:
        for d, label in dirs:
            check("TCP %s @1500: %s / slirp4netns@1500" % (label, jl1500), median(j1500, "tcp_%s_gbps" % d),
                  median(slirp1500, "tcp_%s_gbps" % d), ">= 5", lambda r: r >= 5)
    if j and pasta:
        check("new conns/s: jnet / pasta", median(j, "tcp_conn_per_s"), median(pasta, "tcp_conn_per_s"), ">= 1.0",
              lambda r: r >= 1.0)
    if j and slirp:
        check("1-byte RR, 1 CPU: jnet / slirp4netns@65520", median(j, "tcp_rr_median_us_1cpu"),
              median(slirp, "tcp_rr_median_us_1cpu"), "<= 1.0", lambda r: r <= 1.0)
    if j:
        v = median(j, "rss_after_kb")
        rows.append("| RSS after 4000 conns @65520, MB | %s | <= 96 | %s |" % (
            fmt(v and v / 1024), "-" if v is None else ("met" if v / 1024 <= 96 else "**missed**")))
    if rows:
        print("| target (issue 17) | measured | goal | |")
        print("|---|---:|---|---|")
        print("\n".join(rows))


if __name__ == "__main__":
    main()
