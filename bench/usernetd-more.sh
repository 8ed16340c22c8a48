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
#   flood      TCP host -> namespace 1 (iperf3 -R, a download) through the daemon, alone and while
#              namespace 0 floods (UDP to many ports, raw SYNs to many ports, garbage frames on
#              its tap0, to the dead-end 198.51.100.1 of the sink namespace), interleaved per
#              round (done-when 4: the neighbour keeps >= 0.5x of its download; UsernetdTest
#              checks the bytes, this the rate)
#
#   sudo ./bench/usernetd-more.sh                      # ROUNDS=3 N=10 IPERF_TIME=10
#   sudo METRICS=rootless ROUNDS=5 ./bench/usernetd-more.sh
#
# IPERF_TIME is iperf3's own default, 10 s: four flows started together take ~4 s to reach their
# steady rate (the first seconds' aggregate is ~2/3 of the later one, one flow alone ramps in ~1 s),
# so a 5 s run mostly measures that start; each round's per-second aggregate is printed.
#
# Env: ROUNDS (3), N (10 runs per round and kind), IPERF_TIME (10), MTU (65520), METRICS
#      ("rootless iperf4 flood"), BENCH_USER (tester), USERNETD_OPTS (more jnet usernetd
#      options, e.g. "--open-rate 0": the flood part without the open budget).
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "usernetd-more.sh: run as root (it makes namespaces)" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
ROUNDS=${ROUNDS:-3} N=${N:-10} IPERF_TIME=${IPERF_TIME:-10} MTU=${MTU:-65520}
METRICS=${METRICS:-"rootless iperf4 flood"}
USERNETD_OPTS=${USERNETD_OPTS:-}
user=${BENCH_USER:-tester}
uid=$(id -u "$user") gid=$(id -g "$user")
"$repo/jnet" --version >/dev/null
HNS=umh$$ SNS=ums$$
WORK=$(mktemp -d /tmp/usernetd-more.XXXXXX)
chmod 755 "$WORK"
XDG=$WORK/xdg
mkdir -m 700 "$XDG" && chown "$uid:$gid" "$XDG"
PIDS=()
nss=()
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
  JNET_USERNETD="$repo/jnet usernetd --idle-exit 1 $USERNETD_OPTS" "$@"; }
# for `... &`: the background job becomes the command itself (exec), so $! is its pid (with
# plain `run CMD &`, $! was run's subshell: killing it left CMD running, holding the bench's fds)
run_exec() { exec ip netns exec "$HNS" setpriv --reuid="$uid" --regid="$gid" --clear-groups -- \
  env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp XDG_RUNTIME_DIR="$XDG" \
  JNET_USERNETD="$repo/jnet usernetd --idle-exit 1 $USERNETD_OPTS" "$@"; }
ms() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null 2>&1 || echo "# failed: $*" >&2; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000 )); }
median() { sort -n | awk '{a[NR]=$1} END{m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f", m/1000}'; }
middle() { sort -n "$1" | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; } # a file's middle value
gbps() { python3 -c 'import json,sys; print("%.3f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))'; } # iperf3 -J
start=$(date -u +%FT%TZ)
echo "Run $start, ROUNDS=$ROUNDS N=$N IPERF_TIME=$IPERF_TIME MTU=$MTU${USERNETD_OPTS:+, usernetd $USERNETD_OPTS}, load: $(cut -d' ' -f1-3 /proc/loadavg)"

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

# Namespaces 0..N-1 (a user+net namespace each, as rootlesskit makes them), each attached to the
# daemon through bin/slirp4netns, and an iperf3 server for namespace k on 127.0.0.1:5301+k.
# Fills nss (the namespaces' pids); called once per run.
attach_namespaces() {
  local n=$1 k fifo rfd ok
  nss=()
  for ((k = 0; k < n; k++)); do
    ip netns exec "$HNS" setpriv --reuid="$uid" --regid="$gid" --clear-groups -- unshare -unUr sleep 3600 </dev/null &
    nss+=($!); PIDS+=($!)
  done
  for ((k = 0; k < n; k++)); do
    for _ in $(seq 250); do [ "$(cat /proc/${nss[$k]}/comm 2>/dev/null)" = sleep ] && break; sleep 0.02; done
    fifo=$WORK/ready$k; mkfifo "$fifo"; exec {rfd}<>"$fifo"
    run_exec "$repo/bin/slirp4netns" --configure --mtu "$MTU" --ready-fd 3 "${nss[$k]}" tap0 3>"$fifo" {rfd}<&- </dev/null >"$WORK/fe$k.log" 2>&1 &
    PIDS+=($!)
    ok=""; read -t 20 -n 1 -u $rfd ok || true; exec {rfd}<&-
    [ "$ok" = 1 ] || { echo "front end $k not ready: $(cat "$WORK/fe$k.log")" >&2; exit 1; }
    run_exec iperf3 -s -p $((5301 + k)) -B 127.0.0.1 </dev/null >/dev/null 2>&1 &
    PIDS+=($!)
  done
  sleep 0.5
}
# runs "$@" in namespace k as the user (root inside the namespace: raw sockets allowed there)
in_ns() { local k=$1; shift
  ip netns exec "$HNS" setpriv --reuid="$uid" --regid="$gid" --clear-groups -- nsenter -t "${nss[$k]}" -U -n --preserve-credentials -- "$@"; }

if [[ " $METRICS " == *" iperf4 "* ]]; then
  attach_namespaces 4
  client() { # k -> Gbit/s received; each second's Gbit/s to $WORK/s$k
    in_ns "$1" timeout $((IPERF_TIME + 30)) iperf3 -c 10.0.2.2 -p $((5301 + $1)) -t "$IPERF_TIME" -J 2>/dev/null |
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
  a=$(middle "$WORK/alone"); g=$(middle "$WORK/agg"); m=$(middle "$WORK/min")
  echo
  echo "| TCP ns -> host through one daemon (median of $ROUNDS x ${IPERF_TIME} s, Gbit/s) | value |"
  echo "|---|---:|"
  echo "| one namespace alone | $a |"
  echo "| four at once, aggregate | $g |"
  echo "| four at once, the slowest | $m |"
  awk -v a="$a" -v g="$g" -v m="$m" 'BEGIN { printf "\nfour namespaces: aggregate / one alone %.2fx (target >= 1); slowest / one alone %.2f (target >= 0.2)\n", g / a, m / a }'
fi

if [[ " $METRICS " == *" flood "* ]]; then
  [ "${#nss[@]}" -ge 2 ] || attach_namespaces 2
  # as fast as python goes, for argv[1] seconds at most, or until the tap is gone
  cat > "$WORK/flood.py" <<'PY'
import errno, os, socket, struct, sys, time
stop = time.time() + float(sys.argv[1])
dst = socket.inet_aton("198.51.100.1"); src = socket.inet_aton("10.0.2.100")
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
link = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
link.bind(("tap0", 0))
def checksum(b):
    b += b"\0" * (len(b) % 2)
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s >> 16) + (s & 0xffff)
    return ~s & 0xffff
n = 0
while time.time() < stop:
    n += 1
    port = 1024 + n % 60000
    syn = struct.pack("!HHIIBBHHH", 30000 + n % 30000, port, n, 0, 5 << 4, 0x02, 65535, 0, 0)
    syn = syn[:16] + struct.pack("!H", checksum(src + dst + struct.pack("!BBH", 0, 6, len(syn)) + syn)) + syn[18:]
    try:
        udp.sendto(b"f" * 64, ("198.51.100.1", port))
        raw.sendto(syn, ("198.51.100.1", 0))
        link.send(os.urandom(60 + n % 1400))
    except OSError as e:
        if e.errno in (errno.ENXIO, errno.ENODEV, errno.ENETDOWN):
            break
print(n)
PY
  chmod 644 "$WORK/flood.py"
  down() { # namespace k's download through the daemon, Gbit/s
    in_ns "$1" timeout $((IPERF_TIME + 30)) iperf3 -R -c 10.0.2.2 -p $((5301 + $1)) -t "$IPERF_TIME" -J 2>/dev/null | gbps || echo 0
  }
  : > "$WORK/quiet"; : > "$WORK/flooded"
  for r in $(seq "$ROUNDS"); do
    q=$(down 1); echo "$q" >> "$WORK/quiet"
    in_ns 0 timeout $((IPERF_TIME + 15)) python3 "$WORK/flood.py" $((IPERF_TIME + 3)) > "$WORK/flood.out" 2>&1 &
    fl=$!; PIDS+=($fl)
    sleep 1 # the flood is on
    f=$(down 1); echo "$f" >> "$WORK/flooded"
    wait "$fl" || true
    # the flooding namespace is still served afterwards
    after=$(in_ns 0 timeout 20 iperf3 -c 10.0.2.2 -p 5301 -t 1 -J 2>/dev/null | gbps || echo 0)
    echo "# round $r: namespace 1's download alone $q Gbit/s, while namespace 0 floods $f Gbit/s" \
      "(flood: $(tail -1 "$WORK/flood.out") x (UDP + SYN + garbage frame)); namespace 0 after its flood: $after Gbit/s" >&2
  done
  q=$(middle "$WORK/quiet"); f=$(middle "$WORK/flooded")
  echo
  echo "| TCP host -> namespace 1 through the daemon (median of $ROUNDS x ${IPERF_TIME} s, Gbit/s) | value |"
  echo "|---|---:|"
  echo "| alone | $q |"
  echo "| while namespace 0 floods | $f |"
  awk -v q="$q" -v f="$f" 'BEGIN { printf "\nflooded neighbour: download while flooded / alone %.2fx (target >= 0.5)\n", f / q }'
fi
