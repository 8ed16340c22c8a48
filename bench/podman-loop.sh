#!/usr/bin/env bash
# podman-loop.sh - issue 11, done-when 7: RUNS x `podman run --rm IMAGE true` (rootless podman,
# --network slirp4netns) with containers.conf's network_cmd_path = jnet's bin/slirp4netns (its
# C front end + one jnet usernetd) against /usr/bin/slirp4netns, rounds interleaved
# (jnet, slirp4netns, jnet, ...) in one run. Prints the seconds of each loop, the medians and the
# ratio jnet / slirp4netns (target <= 1.2).
#
#   sudo ./bench/podman-loop.sh                 # RUNS=20 ROUNDS=3
#   sudo RUNS=10 ROUNDS=2 ./bench/podman-loop.sh
#   sudo IDLE_EXIT=30 ./bench/podman-loop.sh    # the daemon's default: it stays warm between loops
#
# The daemon runs with --idle-exit IDLE_EXIT (default 2) and each round waits 3 s first: every
# jnet loop starts its daemon cold (its first run pays the JVM start); IDLE_EXIT=30 (the daemon's
# own default) keeps it warm from the warm-up run on. Podman runs as BENCH_USER (tester) in a private
# netns holding only lo, inside a private mount namespace with cgroup2 on /sys/fs/cgroup (as
# RootlessConsumersTest drives it); the image is busybox-static imported from a tar (no registry).
# The containers send nothing.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "podman-loop.sh: run as root (it makes a namespace and switches to the bench user)" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
RUNS=${RUNS:-20}
ROUNDS=${ROUNDS:-3}
IDLE_EXIT=${IDLE_EXIT:-2}
BENCH_USER=${BENCH_USER:-tester}
SLIRP=${SLIRP:-/usr/bin/slirp4netns}
IMAGE=localhost/jnet-bench-busybox
command -v podman >/dev/null && [ -x /bin/busybox ] || { echo "podman-loop.sh: needs podman and /bin/busybox (static)" >&2; exit 1; }
HNS=pdl$$
WORK=$(mktemp -d /tmp/podman-loop.XXXXXX)
chmod 755 "$WORK"
mkdir -m 700 "$WORK/home" "$WORK/run"
chown "$BENCH_USER:" "$WORK/home" "$WORK/run"
log() { echo "podman-loop: $*" >&2; }

# processes of the bench user's runtime directory (podman's pause process, a daemon): by pid
ours() {
    local e
    for e in /proc/[0-9]*/environ; do
        if tr '\0' '\n' 2>/dev/null < "$e" | grep -qx "XDG_RUNTIME_DIR=$WORK/run"; then
            e=${e#/proc/}; echo "${e%/environ}"
        fi
    done
}
cleanup() {
    local p
    for p in $(ours); do kill -KILL "$p" 2>/dev/null || true; done
    ip netns del "$HNS" 2>/dev/null || true
    chmod -R u+rwX "$WORK" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$repo/jnet" --version >/dev/null   # build (if stale) as the checkout's owner, not inside a timing
ip netns add "$HNS"
ip -n "$HNS" link set lo up

podman_as_user() {
    ip netns exec "$HNS" unshare -m --propagation private \
        sh -c 'mount -t cgroup2 none /sys/fs/cgroup && exec "$@"' sh \
        setpriv --reuid="$BENCH_USER" --regid="$BENCH_USER" --init-groups \
        env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$WORK/home" XDG_RUNTIME_DIR="$WORK/run" \
        JNET_USERNETD="$repo/jnet usernetd --idle-exit $IDLE_EXIT" \
        podman --cgroup-manager=cgroupfs "$@"
}

configure() { # network_cmd_path
    mkdir -p "$WORK/home/.config/containers"
    printf '[storage]\ndriver = "vfs"\n' > "$WORK/home/.config/containers/storage.conf"
    printf '[engine]\nnetwork_cmd_path = "%s"\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n' "$1" \
        > "$WORK/home/.config/containers/containers.conf"
    chown -R "$BENCH_USER:" "$WORK/home/.config"
}

# the image: busybox-static with sh and true
mkdir -p "$WORK/image/bin"
cp /bin/busybox "$WORK/image/bin/busybox"
ln -s busybox "$WORK/image/bin/sh"; ln -s busybox "$WORK/image/bin/true"
tar -C "$WORK/image" -cf "$WORK/image.tar" .
chown "$BENCH_USER:" "$WORK/image.tar"
configure "$SLIRP"
podman_as_user import -q "$WORK/image.tar" "$IMAGE" >/dev/null

now_ns() { date +%s%N; }
loop() { # label cmd_path round
    configure "$2"
    sleep 3   # past the daemon's idle exit: each jnet loop starts it cold
    local t0 t1 i
    t0=$(now_ns)
    for i in $(seq "$RUNS"); do
        podman_as_user run --rm --network slirp4netns "$IMAGE" true || { log "$1: run $i failed"; exit 1; }
    done
    t1=$(now_ns)
    echo "driver=$1 round=$3 runs=$RUNS seconds=$(( (t1 - t0) / 1000000 ))e-3"
}

for d in "jnet:$repo/bin/slirp4netns" "slirp4netns:$SLIRP"; do   # warm-up: pause process, storage, page cache
    configure "${d#*:}"; podman_as_user run --rm --network slirp4netns "$IMAGE" true
done
start=$(date -u +%FT%TZ)
raw=$(mktemp /tmp/podman-loop-raw.XXXXXX)
for r in $(seq "$ROUNDS"); do
    if [ $((r % 2)) = 1 ]; then order="jnet:$repo/bin/slirp4netns slirp4netns:$SLIRP"
    else order="slirp4netns:$SLIRP jnet:$repo/bin/slirp4netns"; fi
    for d in $order; do
        loop "${d%%:*}" "${d#*:}" "$r" | tee -a "$raw"
    done
done
echo "Run $start .. $(date -u +%FT%TZ), RUNS=$RUNS, ROUNDS=$ROUNDS, IDLE_EXIT=$IDLE_EXIT, podman $(podman --version | awk '{print $3}'), $($SLIRP --version | head -1)"
python3 - "$raw" "$RUNS" <<'PY'
import collections, statistics, sys
v = collections.defaultdict(list)
for line in open(sys.argv[1]):
    f = dict(kv.split("=", 1) for kv in line.split())
    v[f["driver"]].append(float(f["seconds"]))
print(f"\n| {sys.argv[2]} x podman run --rm IMAGE true | loops (s) | median (s) | per run (ms) |")
print("|---|---|---:|---:|")
for d in ["jnet", "slirp4netns"]:
    m = statistics.median(v[d])
    print(f"| {d} | {', '.join(f'{x:.2f}' for x in v[d])} | {m:.2f} | {m * 1000 / int(sys.argv[2]):.0f} |")
print(f"\njnet / slirp4netns: {statistics.median(v['jnet']) / statistics.median(v['slirp4netns']):.2f}x (target <= 1.2)")
PY
rm -f "$raw"
