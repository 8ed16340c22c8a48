#!/usr/bin/env bash
# tap-latency.sh - time from exec to tap0 in the guest (and to the ready byte), side by side:
# slirp4netns, jnet usernet standalone (./jnet usernet, and JNET_USERNET_STANDALONE=1
# bin/slirp4netns), jnet usernet with the JVM opening the tap as before the pre-JVM stage
# (./jnet usernet @/dev/null: an argument file, which the stage leaves to the JVM), and
# bin/slirp4netns through a warm jnet usernetd. Issue 13: "Without -c, tap0 appears ~0.9 s
# after start (slirp4netns: ~0.1 s)". Command line as rootlesskit runs slirp4netns (no -c):
#   CMD --mtu 65520 -r FD PID tap0
# The guest (bench/usernet/taplat.py) hears RTM_NEWLINK for tap0 on a netlink socket in its own
# namespace; no packet is sent anywhere. Rounds interleave the drivers.
#
#   sudo ./bench/tap-latency.sh                 # ROUNDS=3, N=5 samples per driver and round
# Env: ROUNDS (3), N (5), BENCH_USER (tester), SLIRP_BIN (/usr/bin/slirp4netns), RAW (keep raw lines there)
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "tap-latency.sh: run as root (it makes a private host namespace)" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
ROUNDS=${ROUNDS:-3}
N=${N:-5}
BENCH_USER=${BENCH_USER:-tester}
SLIRP_BIN=${SLIRP_BIN:-/usr/bin/slirp4netns}
"$repo/jnet" --version >/dev/null # built, and its class archive recorded
buid=$(id -u "$BENCH_USER")
bgid=$(id -g "$BENCH_USER")
work=$(mktemp -d /tmp/tap-latency.XXXXXX)
hns=taplat$$
raw=${RAW:-$work/raw.txt}
cleanup() {
  ip netns del "$hns" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
cp "$here/usernet/taplat.py" "$work/"
mkdir -m 700 "$work/xdg"
chown -R "$buid:$bgid" "$work"
chmod 755 "$work"
# the drivers' own host namespace (lo only): a daemon started there is this run's alone
ip netns add "$hns"
ip -n "$hns" link set lo up
as_user() {
  ip netns exec "$hns" setpriv --reuid="$buid" --regid="$bgid" --clear-groups -- env XDG_RUNTIME_DIR="$work/xdg" \
    JNET_USERNETD="$repo/jnet usernetd --idle-exit 20" "$@"
}
drivers="slirp4netns jnet-usernet jnet-usernet-jvm-opens jnet-standalone-slirp jnetd-warm"
sample() { # DRIVER N
  local cmd
  case $1 in
    slirp4netns) cmd=("$SLIRP_BIN") ;;
    jnet-usernet) cmd=("$repo/jnet" usernet) ;;
    jnet-usernet-jvm-opens) cmd=("$repo/jnet" usernet @/dev/null) ;;
    jnet-standalone-slirp) cmd=(env JNET_USERNET_STANDALONE=1 "$repo/bin/slirp4netns") ;;
    jnetd-warm) cmd=("$repo/bin/slirp4netns") ;;
  esac
  as_user python3 "$work/taplat.py" run "$1" "$2" "${cmd[@]}"
}
start=$(date -u +%FT%TZ)
for d in $drivers; do sample "$d" 1 >/dev/null; done # warm-up: page cache, the daemon started
for r in $(seq "$ROUNDS"); do
  for d in $drivers; do sample "$d" "$N" | sed "s/\$/ round=$r/"; done
done > "$raw"
echo "Run $start .. $(date -u +%FT%TZ), ROUNDS=$ROUNDS, N=$N per driver and round, $(uname -r), $(nproc) CPUs"
python3 - "$raw" $drivers <<'PY'
import collections, statistics, sys
v = collections.defaultdict(list)
for line in open(sys.argv[1]):
    f = dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
    if "metric" in f:
        v[(f["driver"], f["metric"])].append(float(f["value"]))
drivers = sys.argv[2:]
print("\n| driver | samples | tap0 ms (median) | tap0 ms (min..max) | ready ms (median) | tap0 / slirp4netns |")
print("|---|---:|---:|---:|---:|---:|")
base = statistics.median(v[("slirp4netns", "tap_ms")]) if v[("slirp4netns", "tap_ms")] else None
for d in drivers:
    t, r = v[(d, "tap_ms")], v[(d, "ready_ms")]
    if not t:
        print(f"| {d} | 0 | - | - | - | - |")
        continue
    ratio = f"{statistics.median(t) / base:.1f}x" if base else "-"
    print(f"| {d} | {len(t)} | {statistics.median(t):.1f} | {min(t):.1f}..{max(t):.1f} | "
          f"{statistics.median(r):.1f} | {ratio} |")
PY
sleep 22 # the daemon's idle exit (20 s after its last namespace: warm across a round)
