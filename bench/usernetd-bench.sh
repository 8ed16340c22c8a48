#!/usr/bin/env bash
# usernetd-bench.sh - bin/slirp4netns through jnet usernetd (warm and cold daemon) against
# jnet usernet standalone (one process per namespace, as before) and slirp4netns, rounds
# interleaved in one run and one sandbox (the anchor harness, bench/usernet/usernet-bench.sh).
#   start to ready (issue 11 done-when 1: warm <= 2x slirp4netns, cold no slower than standalone)
#   TCP throughput and new conns/s (done-when 3: daemon >= 0.9x standalone)
#   (jnet rootless vs pasta and four namespaces at once: bench/usernetd-more.sh)
#
#   sudo ./bench/usernetd-bench.sh                         # ROUNDS=2
#   sudo ROUNDS=3 METRICS="startup" ./bench/usernetd-bench.sh
#
# Env: ROUNDS (2), METRICS ("startup tput conn"), MTU (65520), RAW (keep raw lines there),
#      LOG (the harness's stderr), and everything bench/usernet/usernet-bench.sh reads.
# The harness measures RSS and CPU of the process it started: for the daemon path that is the
# front end only, so those lines are left out of the table (see bench/usernetd-many.sh for memory).
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "usernetd-bench.sh: run as root (the harness makes namespaces)" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
export ROUNDS=${ROUNDS:-2}
# rounds rotate the driver order: the first driver of a round was measured slower (it follows
# the previous round's last driver; bench/results/2026-12-07-usernetd.md)
export ROTATE=${ROTATE:-1}
export METRICS=${METRICS:-"startup tput conn"}
mtu=${MTU:-65520}
"$repo/jnet" --version >/dev/null
export DRIVERS="slirpcli:jnetd:$repo/bin/slirp4netns@$mtu slirpcli:jnet:$here/usernet/jnet-standalone@$mtu"
DRIVERS="$DRIVERS slirp4netns@1500 slirpcli:jnetd-cold:$here/usernet/jnetd-cold@$mtu"
[ "$mtu" != 1500 ] && DRIVERS="$DRIVERS slirp4netns@$mtu"
raw=${RAW:-$(mktemp /tmp/usernetd-bench-raw.XXXXXX)}
start=$(date -u +%FT%TZ)
if [ -n "${LOG:-}" ]; then
  "$here/usernet/usernet-bench.sh" > "$raw" 2> "$LOG"
else
  "$here/usernet/usernet-bench.sh" > "$raw"
fi
sleep 2; rm -rf /tmp/jnetd-cold.*
echo "Run $start .. $(date -u +%FT%TZ), ROUNDS=$ROUNDS, drivers: $DRIVERS"
python3 - "$raw" <<'PY'
import collections, statistics, sys
v = collections.defaultdict(list)
for line in open(sys.argv[1]):
    try:
        f = dict(kv.split("=", 1) for kv in line.split())
        v[(f["metric"], f["driver"] + "@" + f["mtu"])].append(float(f["value"]))
    except (ValueError, KeyError):
        pass
drivers = sorted({d for (_, d) in v})
metrics = [m for m in ["startup_ms", "tcp_ns_to_host_gbps", "tcp_host_to_ns_gbps", "tcp_conn_per_s", "tcp_connect_median_us"]
           if any(k[0] == m for k in v)]
print("\n| metric (median) | " + " | ".join(drivers) + " |")
print("|---|" + "---:|" * len(drivers))
for m in metrics:
    print(f"| {m} | " + " | ".join(f"{statistics.median(v[(m, d)]):.2f}" if v[(m, d)] else "-" for d in drivers) + " |")
def med(m, d):
    x = [val for (mm, dd), vals in v.items() if mm == m and dd.startswith(d + "@") for val in vals]
    return statistics.median(x) if x else None
print()
s, w, c, j = med("startup_ms", "slirp4netns"), med("startup_ms", "jnetd"), med("startup_ms", "jnetd-cold"), med("startup_ms", "jnet")
if s and w: print(f"start to ready, warm daemon / slirp4netns@1500: {w / s:.2f}x (target <= 2)")
if c and j: print(f"start to ready, cold daemon / standalone jnet usernet: {c / j:.2f}x (target <= 1)")
for m in ["tcp_ns_to_host_gbps", "tcp_host_to_ns_gbps", "tcp_conn_per_s"]:
    a, b = med(m, "jnetd"), med(m, "jnet")
    if a and b: print(f"{m}, daemon / standalone: {a / b:.2f}x (target >= 0.9)")
PY
[ -n "${RAW:-}" ] || rm -f "$raw"
