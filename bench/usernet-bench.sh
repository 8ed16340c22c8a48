#!/usr/bin/env bash
# usernet-bench.sh - jnet usernet side by side with slirp4netns (MTU 1500 and 65520) and pasta,
# rounds interleaved in one run and one sandbox (bench/usernet/usernet-bench.sh), then a markdown
# table of medians with jnet's ratio to each anchor (bench/usernet/ratios.py).
#
#   sudo ./bench/usernet-bench.sh                  # ROUNDS=2, table on stdout
#   sudo ROUNDS=3 RAW=out.txt ./bench/usernet-bench.sh
#   sudo JNET_MTUS="65520" ANCHORS="slirp4netns@65520 pasta" METRICS="tput" ./bench/usernet-bench.sh
#
# Env: ROUNDS (2), JNET_MTUS ("65520 1500"), ANCHORS ("slirp4netns@1500 slirp4netns@65520 pasta"),
#      RAW (keep the raw lines there; else a temporary file), LOG (stderr of the harness; else
#      shown), everything bench/usernet/usernet-bench.sh reads (METRICS, IPERF_TIME, ...).
# Builds jnet first when the jar is missing or older than a source (the ./jnet launcher decides),
# which also records its class archive: the first measured start-up is not the training run.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "usernet-bench.sh: run as root (the harness makes namespaces)" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)

export ROUNDS=${ROUNDS:-2}
JNET_MTUS=${JNET_MTUS:-"65520 1500"}
ANCHORS=${ANCHORS:-"slirp4netns@1500 slirp4netns@65520 pasta"}

# build (if stale) and train the archive now, as the owner of the checkout, not inside a timing
"$repo/jnet" --version >/dev/null
"$repo/bin/slirp4netns" --help >/dev/null

# interleave: jnet@m1, anchors..., jnet@m2, ... so each jnet run sits between anchor runs
drivers=""
for m in $JNET_MTUS; do drivers="$drivers slirpcli:jnet:$repo/bin/slirp4netns@$m"; done
drivers="$drivers $ANCHORS"
export DRIVERS=${DRIVERS:-$drivers}

raw=${RAW:-$(mktemp /tmp/usernet-bench-raw.XXXXXX)}
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(date -u +%FT%TZ)
if [ -n "${LOG:-}" ]; then
  "$here/usernet/usernet-bench.sh" > "$raw" 2> "$LOG"
else
  "$here/usernet/usernet-bench.sh" > "$raw"
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
echo "Run $start .. $(date -u +%FT%TZ), ROUNDS=$ROUNDS, drivers: $DRIVERS"
echo
echo "Machine: $(hostname -s), kernel $(uname -r), $(nproc) CPUs ($cpu), $(awk '/MemTotal/ {printf "%d MB", $2/1024}' /proc/meminfo) RAM;" \
     "$(java -version 2>&1 | head -1); $(slirp4netns --version 2>/dev/null | head -1); passt $(dpkg-query -W -f='${Version}' passt 2>/dev/null)"
echo
echo "Load average (1/5/15 min) before: $load_before, after: $load_after"
echo
"$here/usernet/ratios.py" --jnet jnet "$raw"
[ -n "${RAW:-}" ] || rm -f "$raw"
