#!/usr/bin/env bash
# usernetd-many.sh - N namespaces attached at once (default 50), jnet's front end + one
# jnet usernetd against N slirp4netns processes, rounds interleaved, in one run:
#   - RSS of every process of the bench user except the guests (the namespaces' sleepers),
#     divided by N (issue 11, done-when 2: jnet <= 1.2x slirp4netns);
#   - start to ready of each namespace in turn (median; jnet's first one starts the daemon);
#   - wall time to bring all N up.
#
#   sudo ./bench/usernetd-many.sh              # N=50 ROUNDS=2
#   sudo N=20 ROUNDS=1 ./bench/usernetd-many.sh
#
# The stacks run in a private netns holding only lo: nothing is sent anywhere (no traffic is
# needed to measure idle memory). jnet's daemon gets a runtime directory of its own (so it is
# this run's, cold at the start of each round) and --idle-exit 2.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "usernetd-many.sh: run as root (it makes a namespace)" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
N=${N:-50}
ROUNDS=${ROUNDS:-2}
BENCH_USER=${BENCH_USER:-tester}
BUID=$(id -u "$BENCH_USER"); BGID=$(id -g "$BENCH_USER")
SLIRP=${SLIRP:-/usr/bin/slirp4netns}
HNS=udm$$
WORK=$(mktemp -d /tmp/usernetd-many.XXXXXX)
chown "$BUID:$BGID" "$WORK"; chmod 700 "$WORK"
PIDS=()
log() { echo "usernetd-many: $*" >&2; }
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    sleep 0.5
    for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
    # the daemon ends 2 s after its last namespace; wait for it (bounded) before removing its directory
    for _ in $(seq 50); do pgrep -u "$BUID" -f "usernetd --idle-exit 2" >/dev/null || break; sleep 0.2; done
    ip netns del "$HNS" 2>/dev/null || true
    rm -rf "/etc/netns/$HNS" "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$repo/jnet" --version >/dev/null   # build (if stale) as the checkout's owner, not inside a timing
ip netns add "$HNS"
ip -n "$HNS" link set lo up
mkdir -p "/etc/netns/$HNS"
echo "nameserver 198.51.100.1" > "/etc/netns/$HNS/resolv.conf"   # never the machine's resolvers
HOSTRUN=(ip netns exec "$HNS" setpriv --reuid="$BUID" --regid="$BGID" --clear-groups --
         env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$WORK" XDG_RUNTIME_DIR="$WORK"
         JNET_USERNETD="$repo/jnet usernetd --idle-exit 2")

now_us() { echo $(( $(date +%s%N) / 1000 )); }

# one round of one driver: prints "driver= metric= value= round="
run_driver() { # label binary round
    local label=$1 bin=$2 round=$3 i guests=() drivers=() starts=() t0 t1 all0 fifo rfd r
    for i in $(seq "$N"); do
        "${HOSTRUN[@]}" unshare -unUr sleep 3600 </dev/null &
        guests+=($!); PIDS+=($!)
    done
    for g in "${guests[@]}"; do
        for _ in $(seq 250); do [ "$(cat /proc/$g/comm 2>/dev/null)" = sleep ] && break; sleep 0.02; done
    done
    all0=$(now_us)
    for g in "${guests[@]}"; do
        fifo=$WORK/ready.fifo; rm -f "$fifo"; mkfifo "$fifo"; exec {rfd}<>"$fifo"
        t0=$(now_us)
        "${HOSTRUN[@]}" "$bin" --configure --mtu 65520 --ready-fd 3 "$g" tap0 3>"$fifo" {rfd}<&- </dev/null \
            >>"$WORK/$label.log" 2>&1 &
        drivers+=($!); PIDS+=($!)
        r=""; read -t 30 -n 1 -u $rfd r || true; exec {rfd}<&-; rm -f "$fifo"
        t1=$(now_us)
        [ "$r" = 1 ] || { log "$label: not ready: $(tail -3 "$WORK/$label.log")"; return 1; }
        starts+=($(( t1 - t0 )))
    done
    echo "driver=$label metric=all_up_ms value=$(( ($(now_us) - all0) / 1000 )) round=$round"
    echo "driver=$label metric=first_ready_ms value=$(( starts[0] / 1000 )) round=$round"
    echo "driver=$label metric=ready_median_ms value=$(printf '%s\n' "${starts[@]}" | sort -n | awk '{a[NR]=$1} END{printf "%.1f", a[int((NR+1)/2)]/1000}') round=$round"
    sleep 2 # idle
    local total=0 procs=0 p rss skip
    for p in /proc/[0-9]*; do
        p=${p#/proc/}
        [ "$(stat -c %u /proc/$p 2>/dev/null)" = "$BUID" ] || continue
        skip=0; for g in "${guests[@]}"; do [ "$g" = "$p" ] && skip=1; done
        [ $skip = 1 ] && continue
        rss=$(awk '$1=="VmRSS:" {print $2}' /proc/$p/status 2>/dev/null || true)
        [ -n "$rss" ] || continue
        total=$(( total + rss )); procs=$(( procs + 1 ))
    done
    echo "driver=$label metric=user_processes value=$procs round=$round"
    echo "driver=$label metric=rss_total_kb value=$total round=$round"
    echo "driver=$label metric=rss_per_ns_kb value=$(( total / N )) round=$round"
    for p in "${drivers[@]}" "${guests[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${drivers[@]}" "${guests[@]}"; do wait "$p" 2>/dev/null || true; done
    PIDS=()
    for _ in $(seq 50); do pgrep -u "$BUID" -f "usernetd --idle-exit 2" >/dev/null || break; sleep 0.2; done
}

# a daemon of an earlier benchmark may still be idling out (usernetd-more.sh's --idle-exit 1): up to 10 s
for _ in $(seq 50); do pgrep -u "$BUID" >/dev/null || break; sleep 0.2; done
if pgrep -u "$BUID" >/dev/null; then
    log "note: $BENCH_USER already runs processes: $(pgrep -u "$BUID" | wc -l) (counted in the RSS sums)"
fi
raw=${RAW:-$WORK/raw.txt}
for round in $(seq "$ROUNDS"); do
    log "round $round: slirp4netns"
    run_driver slirp4netns "$SLIRP" "$round" | tee -a "$raw"
    log "round $round: jnet (front end + usernetd)"
    run_driver jnet "$repo/bin/slirp4netns" "$round" | tee -a "$raw"
done
python3 - "$raw" "$N" <<'PY'
import collections, statistics, sys
v = collections.defaultdict(list)
for line in open(sys.argv[1]):
    f = dict(kv.split("=", 1) for kv in line.split())
    v[(f["metric"], f["driver"])].append(float(f["value"]))
n = sys.argv[2]
print(f"\n| metric ({n} namespaces at once, median of rounds) | slirp4netns | jnet | jnet / slirp4netns |")
print("|---|---:|---:|---:|")
for m in ["rss_per_ns_kb", "rss_total_kb", "user_processes", "first_ready_ms", "ready_median_ms", "all_up_ms"]:
    s, j = statistics.median(v[(m, "slirp4netns")]), statistics.median(v[(m, "jnet")])
    print(f"| {m} | {s:.1f} | {j:.1f} | {j / s:.2f} |")
PY
