#!/usr/bin/env bash
# 50 ADD+DEL pairs with jnet-bridge and with the reference bridge plugin (/usr/lib/cni/bridge),
# interleaved (jnet, reference, jnet, ...), same IPAM (the reference host-local), same config
# (gateway, default route, masquerading). Each call is exec'd as a runtime does: CNI_* env, config
# on stdin. Everything happens in namespaces this script makes (a private "host" namespace where
# the plugins run, one container namespace), removed on exit together with the IPAM state.
#
#   sudo ./bench/cni-bench.sh            # N=50
#   sudo N=20 REF=/usr/lib/cni/bridge ./bench/cni-bench.sh
#
# Prints per-plugin medians of one ADD, one DEL and one ADD+DEL pair (ms), and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-50}
REF=${REF:-/usr/lib/cni/bridge}
JNET=$PWD/bin/cni/jnet-bridge
[ "$(id -u)" = 0 ] || { echo "cni-bench: run as root" >&2; exit 1; }
[ -x "$REF" ] && [ -x /usr/lib/cni/host-local ] || { echo "cni-bench: needs containernetworking-plugins" >&2; exit 1; }

p=jcb$$
host=$p-h
ctr=$p-c
tmp=$(mktemp -d)
cleanup() {
  ip netns del "$ctr" 2>/dev/null || true
  ip netns del "$host" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
ip netns add "$host"
ip netns add "$ctr"
ip -n "$host" link set lo up

conf() { # $1 type
  printf '{"cniVersion":"1.0.0","name":"cnibench","type":"%s","bridge":"cb0","isGateway":true,"isDefaultGateway":true,"ipMasq":true,"ipam":{"type":"host-local","subnet":"10.200.150.0/24","dataDir":"%s/ipam"}}' "$1" "$tmp"
}
conf jnet-bridge > "$tmp/jnet.json"
conf bridge > "$tmp/ref.json"

# one call: prints its wall time in microseconds; fails the run on a plugin error
call() { # $1 binary $2 command $3 config
  local t0 t1
  t0=$(date +%s%N)
  if ! CNI_COMMAND=$2 CNI_CONTAINERID=bench CNI_NETNS=/run/netns/$ctr CNI_IFNAME=eth0 \
      CNI_PATH=/usr/lib/cni ip netns exec "$host" "$1" < "$3" > "$tmp/out" 2>&1; then
    echo "cni-bench: $1 $2 failed:" >&2; cat "$tmp/out" >&2; exit 1
  fi
  t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000 ))
}

# warm-up: the first jnet-bridge call builds jnet if needed and records its class archive
call "$JNET" ADD "$tmp/jnet.json" >/dev/null; call "$JNET" DEL "$tmp/jnet.json" >/dev/null
call "$REF" ADD "$tmp/ref.json" >/dev/null; call "$REF" DEL "$tmp/ref.json" >/dev/null

: > "$tmp/j.add"; : > "$tmp/j.del"; : > "$tmp/r.add"; : > "$tmp/r.del"; : > "$tmp/base"
for i in $(seq 1 "$N"); do
  call "$JNET" ADD "$tmp/jnet.json" >> "$tmp/j.add"
  call "$JNET" DEL "$tmp/jnet.json" >> "$tmp/j.del"
  call "$REF" ADD "$tmp/ref.json" >> "$tmp/r.add"
  call "$REF" DEL "$tmp/ref.json" >> "$tmp/r.del"
  t0=$(date +%s%N); ip netns exec "$host" /bin/true; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000 )) >> "$tmp/base"
  [ $((i % 10)) = 0 ] && echo "cni-bench: $i/$N" >&2
done

median() { sort -n "$1" | awk '{a[NR]=$1} END {m = NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.1f", m / 1000}'; }
paste "$tmp/j.add" "$tmp/j.del" | awk '{print $1 + $2}' > "$tmp/j.pair"
paste "$tmp/r.add" "$tmp/r.del" | awk '{print $1 + $2}' > "$tmp/r.pair"
ja=$(median "$tmp/j.add"); jd=$(median "$tmp/j.del"); jp=$(median "$tmp/j.pair")
ra=$(median "$tmp/r.add"); rd=$(median "$tmp/r.del"); rp=$(median "$tmp/r.pair")
base=$(median "$tmp/base")
echo "| plugin ($N rounds, interleaved) | ADD ms | DEL ms | ADD+DEL ms |"
echo "|---|---|---|---|"
echo "| jnet-bridge | $ja | $jd | $jp |"
echo "| reference bridge ($REF) | $ra | $rd | $rp |"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
echo "| ratio jnet/reference | $(ratio "$ja" "$ra") | $(ratio "$jd" "$rd") | $(ratio "$jp" "$rp") |"
echo
echo "(each call includes 'ip netns exec' into the bench's host namespace: median $base ms alone)"
