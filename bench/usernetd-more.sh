#!/usr/bin/env bash
# usernetd-more.sh - the issue 11 figures usernetd-bench.sh's harness cannot take, side by side
# in one run, in a private host network namespace (lo + a veth into an empty sink namespace,
# TEST-NET-2 addresses: no packet leaves the machine):
#   rootless   `jnet rootless -- true` (C front end + warm jnet usernetd), the JVM's own
#              (JNET_USERNET_STANDALONE=1) and `pasta --config-net -- true`, interleaved,
#              end to end (done-when 1: jnet <= 1.5x pasta)
#   iperf4     TCP namespace -> host (iperf3 to 10.0.2.2, the host's loopback) through the
#              daemon: one namespace alone, then four at once (done-when 3: aggregate >= one
#              alone, each >= 0.2 of it)
#
#   sudo ./bench/usernetd-more.sh                      # ROUNDS=3 N=10 IPERF_TIME=10
#   sudo METRICS=rootless ROUNDS=5 ./bench/usernetd-more.sh
#
# IPERF_TIME is iperf3's own default, 10 s: four flows started together take ~4 s to reach their
# steady rate (the first seconds' aggregate is ~2/3 of the later one, one flow alone ramps in ~1 s),
# so a 5 s run mostly measures that start; each round's per-second aggregate is printed.
#
# Env: ROUNDS (3), N (10 runs per round and kind), IPERF_TIME (10), MTU (65520), METRICS
#      ("rootless iperf4"), BENCH_USER (tester).
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "usernetd-more.sh: run as root (it makes namespaces)" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
ROUNDS=${ROUNDS:-3} N=${N:-10} IPERF_TIME=${IPERF_TIME:-10} MTU=${MTU:-65520}
METRICS=${METRICS:-"rootless iperf4"}
user=${BENCH_USER:-tester}
uid=$(id -u "$user") gid=$(id -g "$user")
"$repo/jnet" --version >/dev/null
HNS=umh$$ SNS=ums$$
WORK=$(mktemp -d /tmp/usernetd-more.XXXXXX)
chmod 755 "$WORK"
XDG=$WORK/xdg
mkdir -m 700 "$XDG" && chown "$uid:$gid" "$XDG"
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  # the daemon of this run: in our host netns, it exits 1 s after the last namespace detached
  for _ in $(seq 50); do [ -e "$XDG/jnet" ] && [ -n "$(ls -A "$XDG/jnet")" ] || break; sleep 0.1; done
  ip netns del "$HNS" 2>/dev/null || true
  ip netns del "$SNS" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
ip netns add "$HNS"; ip netns add "$SNS"
ip -n "$HNS" link set lo up
ip link add umup0 netns "$HNS" type veth peer name umup1 netns "$SNS"
ip -n "$HNS" addr add 198.51.100.2/24 dev umup0
ip -n "$HNS" link set umup0 up; ip -n "$SNS" link set umup1 up
ip -n "$HNS" route add default via 198.51.100.1 # dead end: the sink namespace
run() { ip netns exec "$HNS" setpriv --reuid="$uid" --regid="$gid" --clear-groups -- \
  env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp XDG_RUNTIME_DIR="$XDG" \
  JNET_USERNETD="$repo/jnet usernetd --idle-exit 1" "$@"; }
# for `... &`: the background job becomes the command itself (exec), so $! is its pid (with
# plain `run CMD &`, $! was run's subshell: killing it left CMD running, holding the bench's fds)
run_exec() { exec ip netns exec "$HNS" setpriv --reuid="$uid" --regid="$gid" --clear-groups -- \
  env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp XDG_RUNTIME_DIR="$XDG" \
  JNET_USERNETD="$repo/jnet usernetd --idle-exit 1" "$@"; }
ms() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null 2>&1 || echo "# failed: $*" >&2; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000 )); }
median() { sort -n | awk '{a[NR]=$1} END{m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f", m/1000}'; }
start=$(date -u +%FT%TZ)
echo "Run $start, ROUNDS=$ROUNDS N=$N IPERF_TIME=$IPERF_TIME MTU=$MTU, load: $(cut -d' ' -f1-3 /proc/loadavg)"

if [[ " $METRICS " == *" rootless "* ]]; then
  : > "$WORK/jnet"; : > "$WORK/jvm"; : > "$WORK/pasta"
  # a namespace kept attached for the whole part: the daemon stays warm (as for a user with a
  # container running), also across the JVM's runs
  run_exec "$repo/jnet" rootless -- sleep 3600 </dev/null & keeper=$!; PIDS+=($keeper)
  sleep 1
  for r in $(seq "$ROUNDS"); do
    for i in $(seq "$N"); do
      ms run "$repo/jnet" rootless -- true >> "$WORK/jnet"
      ms run env JNET_USERNET_STANDALONE=1 "$repo/jnet" rootless -- true >> "$WORK/jvm"
      ms run pasta --config-net -- true >> "$WORK/pasta"
    done
  done
  kill "$keeper"; wait "$keeper" 2>/dev/null || true
  j=$(median < "$WORK/jnet"); v=$(median < "$WORK/jvm"); p=$(median < "$WORK/pasta")
  echo
  echo "| \`... -- true\`, end to end (median of $((ROUNDS * N)), ms) | jnet rootless (daemon) | jnet rootless (JVM, standalone) | pasta --config-net |"
  echo "|---|---:|---:|---:|"
  echo "| rootless_true_ms | $j | $v | $p |"
  awk -v j="$j" -v p="$p" -v v="$v" 'BEGIN { printf "\njnet rootless -- true / pasta --config-net -- true: %.2fx (target <= 1.5); standalone JVM / pasta: %.2fx\n", j / p, v / p }'
fi

if [[ " $METRICS " == *" iperf4 "* ]]; then
  nss=(); fes=()
  for k in 1 2 3 4; do
    ip netns exec "$HNS" setpriv --reuid="$uid" --regid="$gid" --clear-groups -- unshare -unUr sleep 3600 </dev/null &
    nss+=($!); PIDS+=($!)
  done
  for k in 0 1 2 3; do
    for _ in $(seq 250); do [ "$(cat /proc/${nss[$k]}/comm 2>/dev/null)" = sleep ] && break; sleep 0.02; done
    fifo=$WORK/ready$k; mkfifo "$fifo"; exec {rfd}<>"$fifo"
    run_exec "$repo/bin/slirp4netns" --configure --mtu "$MTU" --ready-fd 3 "${nss[$k]}" tap0 3>"$fifo" {rfd}<&- </dev/null >"$WORK/fe$k.log" 2>&1 &
    fes+=($!); PIDS+=($!)
    ok=""; read -t 20 -n 1 -u $rfd ok || true; exec {rfd}<&-
    [ "$ok" = 1 ] || { echo "front end $k not ready: $(cat "$WORK/fe$k.log")" >&2; exit 1; }
    run_exec iperf3 -s -p $((5301 + k)) -B 127.0.0.1 </dev/null >/dev/null 2>&1 &
    PIDS+=($!)
  done
  sleep 0.5
  client() { # k -> Gbit/s received; each second's Gbit/s to $WORK/s$k
    ip netns exec "$HNS" setpriv --reuid="$uid" --regid="$gid" --clear-groups -- nsenter -t "${nss[$1]}" -U -n --preserve-credentials -- \
      timeout $((IPERF_TIME + 30)) iperf3 -c 10.0.2.2 -p $((5301 + $1)) -t "$IPERF_TIME" -J 2>/dev/null |
      python3 -c 'import json,sys
d = json.load(sys.stdin)
with open(sys.argv[1], "w") as f:
    print(" ".join("%.2f" % (i["sum"]["bits_per_second"] / 1e9) for i in d["intervals"]), file=f)
print("%.3f" % (d["end"]["sum_received"]["bits_per_second"] / 1e9))' "$WORK/s$1" ||
      echo 0
  }
  : > "$WORK/alone"; : > "$WORK/agg"; : > "$WORK/min"
  for r in $(seq "$ROUNDS"); do
    a=$(client 0); echo "$a" >> "$WORK/alone"
    cs=(); for k in 0 1 2 3; do client $k > "$WORK/c$k" & cs+=($!); done
    for c in "${cs[@]}"; do wait "$c" || true; done
    sleep 0.2
    each=$(cat "$WORK"/c0 "$WORK"/c1 "$WORK"/c2 "$WORK"/c3 | tr '\n' ' ')
    echo "# round $r: alone $a Gbit/s; four at once: $each" >&2
    echo "#   four at once, aggregate each second: $(cat "$WORK"/s0 "$WORK"/s1 "$WORK"/s2 "$WORK"/s3 |
      awk '{for(i=1;i<=NF;i++) s[i]+=$i; if(NF>n) n=NF} END{for(i=1;i<=n;i++) printf "%.1f ", s[i]}')" >&2
    echo "$each" | awk '{s=0; m=1e9; for(i=1;i<=NF;i++){s+=$i; if($i<m)m=$i} printf "%.3f\n", s}' >> "$WORK/agg"
    echo "$each" | awk '{m=1e9; for(i=1;i<=NF;i++) if($i<m)m=$i; printf "%.3f\n", m}' >> "$WORK/min"
  done
  a=$(sort -n "$WORK/alone" | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
  g=$(sort -n "$WORK/agg" | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
  m=$(sort -n "$WORK/min" | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
  echo
  echo "| TCP ns -> host through one daemon (median of $ROUNDS x ${IPERF_TIME} s, Gbit/s) | value |"
  echo "|---|---:|"
  echo "| one namespace alone | $a |"
  echo "| four at once, aggregate | $g |"
  echo "| four at once, the slowest | $m |"
  awk -v a="$a" -v g="$g" -v m="$m" 'BEGIN { printf "\nfour namespaces: aggregate / one alone %.2fx (target >= 1); slowest / one alone %.2f (target >= 0.2)\n", g / a, m / a }'
fi
