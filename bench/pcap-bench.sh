#!/usr/bin/env bash
# pcap-bench.sh - what --pcap costs: jnet usernet without a capture, with one that runs for the
# whole measurement (PCAP_SIZE, default 8G), and with the default 64 MB bound (the capture stops
# early; what is left is the check per frame), rounds interleaved in one sandbox by
# bench/usernet/usernet-bench.sh. Markdown table of medians on stdout (bench/usernet/summarize.py).
#
#   sudo ./bench/pcap-bench.sh
#   sudo ROUNDS=3 MTU=1500 METRICS="tput rr" PCAP_SIZE=2G ./bench/pcap-bench.sh
#
# Env: ROUNDS (2), MTU (65520), METRICS ("tput rr"), IPERF_TIME (5), PCAP_SIZE (8G), RAW (keep the
#      raw lines there). The captures go to a temporary directory, removed at the end.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "pcap-bench.sh: run as root (the harness makes namespaces)" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
export ROUNDS=${ROUNDS:-2} METRICS=${METRICS:-"tput rr"} IPERF_TIME=${IPERF_TIME:-5}
MTU=${MTU:-65520}
PCAP_SIZE=${PCAP_SIZE:-8G}

"$repo/jnet" --version >/dev/null # build (if stale) and train the class archive outside the timings

dir=$(mktemp -d /tmp/jnet-pcap-bench.XXXXXX)
trap 'rm -rf "$dir"' EXIT
chmod 0777 "$dir" # the harness runs usernet as its unprivileged user
for v in full:"$PCAP_SIZE" bounded:64M; do
  name=${v%%:*} size=${v#*:}
  printf '#!/bin/sh\nexec %s --pcap %s --pcap-size %s "$@"\n' "$repo/bin/slirp4netns" "$dir/$name.pcap" "$size" \
    > "$dir/jnet-pcap-$name"
  chmod 0755 "$dir/jnet-pcap-$name"
done
export DRIVERS="slirpcli:jnet:$repo/bin/slirp4netns@$MTU slirpcli:jnet-pcap-$PCAP_SIZE:$dir/jnet-pcap-full@$MTU slirpcli:jnet-pcap-64M:$dir/jnet-pcap-bounded@$MTU"

raw=${RAW:-$dir/raw.txt}
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(date -u +%FT%TZ)
"$here/usernet/usernet-bench.sh" > "$raw"
echo "Run $start .. $(date -u +%FT%TZ), ROUNDS=$ROUNDS, MTU $MTU, IPERF_TIME=$IPERF_TIME s, load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$(nproc) CPUs ($(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)), kernel $(uname -r), $(java -version 2>&1 | head -1)"
echo
"$here/usernet/summarize.py" "$raw"
