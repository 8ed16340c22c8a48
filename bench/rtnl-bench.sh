#!/usr/bin/env bash
# rtnl-bench.sh - jnet's rtnetlink CLI against iproute2, whole processes timed (JVM start included):
#   veth     N_VETH (500) `link add vK type veth peer name pK` lines in a fresh namespace:
#            one `jnet -n NS -batch FILE` against one `ip -n NS -batch FILE`;
#   connect  N_NS (200) namespaces added and wired (veth pair, peer inside, /30 addresses on both
#            ends, both ends and lo up, default route inside): one `jnet -batch FILE` of
#            `netns add` + `netns connect NAME --addr .. --peer-addr ..` lines, against ip:
#            one `ip -batch` for the host side (netns add, link add veth peer in the namespace,
#            addr add, link set up) plus one `ip -n NS -batch` per namespace for its side
#            (addr add, link set up x2, route add), since ip -batch lines cannot name a namespace.
# Rounds are interleaved (jnet, ip, jnet, ...); clean-up between runs is not timed, and a
# SETTLE_S pause follows it (namespace teardown is asynchronous). Prints a markdown table of
# per-round times, medians and the jnet/ip ratio (lower is better) on stdout; progress on stderr.
# Run as root. Env: ROUNDS (5) N_VETH (500) N_NS (200) SETTLE_S (2) JNET (./jnet of this tree)
# Addresses used: 10.200.0.0/16 only, inside the namespaces made here. Every name starts jr<pid>.
set -u
export LC_ALL=C
ROUNDS=${ROUNDS:-5}
N_VETH=${N_VETH:-500}
N_NS=${N_NS:-200}
SETTLE_S=${SETTLE_S:-2}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
JNET=${JNET:-$ROOT/jnet}
P=jr$$
WORK=$(mktemp -d /tmp/rtnl-bench.XXXXXX)
CHILD=
log() { echo "# $*" >&2; }
die() { log "$*"; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root"
case $ROUNDS$N_VETH$N_NS in *[!0-9]*) die "ROUNDS, N_VETH and N_NS must be numbers";; esac
[ "$ROUNDS" -ge 1 ] && [ "$ROUNDS" -le 50 ] || die "ROUNDS must be 1..50"
[ "$N_VETH" -ge 1 ] && [ "$N_VETH" -le 4000 ] || die "N_VETH must be 1..4000"
[ "$N_NS" -ge 1 ] && [ "$N_NS" -le 1000 ] || die "N_NS must be 1..1000 (addresses are /30s of 10.200.0.0/16)"

ours() { ip netns list 2>/dev/null | awk '{print $1}' | grep "^${P}" ; }
cleanup_ns() {
    local n pass
    for pass in 1 2; do
        for n in $(ours); do ip netns del "$n" 2>/dev/null; done
        [ $pass = 2 ] || sleep 0.2
    done
    rm -f /run/jnet/connect/"${P}"* 2>/dev/null
    # host ends die with their namespaces' peers; remove any left by an interrupted run
    for n in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' | grep "^h${P#jr}-"); do
        ip link del "$n" 2>/dev/null
    done
}
cleanup() {
    trap - EXIT INT TERM
    if [ -n "$CHILD" ] && kill -0 "$CHILD" 2>/dev/null; then kill -TERM "$CHILD" 2>/dev/null; wait "$CHILD" 2>/dev/null; fi
    cleanup_ns
    rm -rf "$WORK"
    [ -z "$(ours)" ] || log "WARNING: namespaces of ours left behind: $(ours | tr '\n' ' ')"
}
trap cleanup EXIT
trap 'log interrupted; exit 130' INT TERM

T_MS=
timed() {  # runs "$@" in the background (so a signal reaches our trap), sets T_MS
    local t0 t1 rc
    t0=$EPOCHREALTIME
    "$@" & CHILD=$!
    wait "$CHILD"; rc=$?
    t1=$EPOCHREALTIME; CHILD=
    T_MS=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", (b-a)*1000}')
    return $rc
}
emit() { echo "round=$ROUND case=$1 driver=$2 value_ms=$3" >> "$WORK/raw"; }
value() { awk -v r="round=$1" -v c="case=$2" -v d="driver=$3" '$1==r && $2==c && $3==d {sub("value_ms=","",$4); print $4}' "$WORK/raw"; }

# ---- inputs ---------------------------------------------------------------------------
"$JNET" --version >/dev/null 2>&1 || die "$JNET does not run (build: mvn -o -DskipTests install -pl native,netns-core,usernet,netns-cli)"
for ((i = 0; i < N_VETH; i++)); do echo "link add v$i type veth peer name p$i"; done > "$WORK/veth"
addr() {  # K host|ns -> 10.200.X.Y/30
    local k=$1 base; base=$((k * 4))
    echo "10.200.$((base / 256)).$((base % 256 + $([ "$2" = host ] && echo 1 || echo 2)))/30"
}
mk_connect() {  # tag -> files
    local tag=$1 k n h
    : > "$WORK/jnet-$tag"; : > "$WORK/ip-$tag"
    for ((k = 0; k < N_NS; k++)); do
        n=${P}$tag$k; h=h${P#jr}-$tag$k
        echo "netns add $n" >> "$WORK/jnet-$tag"
        echo "netns connect $n --host-ifname $h --addr $(addr $k host) --peer-addr $(addr $k ns)" >> "$WORK/jnet-$tag"
        { echo "netns add $n"; echo "link add $h type veth peer name eth0 netns $n"
          echo "addr add $(addr $k host) dev $h"; echo "link set $h up"; } >> "$WORK/ip-$tag"
        { echo "addr add $(addr $k ns) dev eth0"; echo "link set eth0 up"; echo "link set lo up"
          echo "route add default via $(addr $k host | cut -d/ -f1)"; } > "$WORK/ipns-$tag-$k"
    done
}
mk_connect j
mk_connect i
[ "${#P}" -le 9 ] || log "note: long pid; host names h${P#jr}-iNNN must stay <= 15 bytes"

# ---- drivers --------------------------------------------------------------------------
run_veth() {  # driver
    local ns=${P}v
    ip netns add "$ns" || die "netns add $ns"
    if [ "$1" = jnet ]; then
        timed "$JNET" -n "$ns" -batch "$WORK/veth" > /dev/null || die "jnet veth batch failed (round $ROUND)"
    else
        timed ip -n "$ns" -batch "$WORK/veth" > /dev/null || die "ip veth batch failed (round $ROUND)"
    fi
    local made; made=$(ip -n "$ns" -o link | grep -c '^[0-9]*: v')
    [ "$made" = "$N_VETH" ] || die "$1 made $made of $N_VETH veths"
    emit veth "$1" "$T_MS"
    ip netns del "$ns"
}
ip_connect_all() {
    local k
    ip -batch "$WORK/ip-i" > /dev/null || return 1
    for ((k = 0; k < N_NS; k++)); do ip -n "${P}i$k" -batch "$WORK/ipns-i-$k" > /dev/null || return 1; done
}
run_connect() {  # driver
    if [ "$1" = jnet ]; then
        timed "$JNET" -batch "$WORK/jnet-j" > /dev/null || die "jnet connect batch failed (round $ROUND)"
        # check one end to end: the last namespace reaches its host end
        ip netns exec "${P}j$((N_NS - 1))" ping -c1 -W2 "$(addr $((N_NS - 1)) host | cut -d/ -f1)" > /dev/null \
            || die "jnet: last namespace cannot ping its host end"
    else
        timed ip_connect_all || die "ip connect batch failed (round $ROUND)"
        ip netns exec "${P}i$((N_NS - 1))" ping -c1 -W2 "$(addr $((N_NS - 1)) host | cut -d/ -f1)" > /dev/null \
            || die "ip: last namespace cannot ping its host end"
    fi
    [ "$(ours | wc -l)" = "$N_NS" ] || die "$1 made $(ours | wc -l) of $N_NS namespaces"
    emit connect "$1" "$T_MS"
    cleanup_ns
}

log "$(ip -V 2>&1 | grep -o 'iproute2-[0-9.]*'), kernel $(uname -r), $(nproc) CPUs, $(java -version 2>&1 | head -1)"
log "ROUNDS=$ROUNDS N_VETH=$N_VETH N_NS=$N_NS prefix=$P"
: > "$WORK/raw"
for ((ROUND = 1; ROUND <= ROUNDS; ROUND++)); do
    for d in jnet ip; do run_veth $d; sleep "$SETTLE_S"; done
    for d in jnet ip; do run_connect $d; sleep "$SETTLE_S"; done
    log "round $ROUND: veth jnet $(value $ROUND veth jnet) ms, ip $(value $ROUND veth ip) ms;" \
        "connect jnet $(value $ROUND connect jnet) ms, ip $(value $ROUND connect ip) ms [loadavg $(cut -d' ' -f1 /proc/loadavg)]"
done

# ---- table ----------------------------------------------------------------------------
median() { sort -g | awk '{v[NR]=$1} END {if (NR==0) exit; print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
series() { local r; for ((r = 1; r <= ROUNDS; r++)); do value "$r" "$1" "$2"; done; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{if (b > 0) printf "%.2f", a/b; else print "-"}'; }
row() {  # label case driver
    local vals med base line r
    vals=$(series "$2" "$3"); med=$(echo "$vals" | median); base=$(series "$2" ip | median)
    line="| $1 |"; for r in $vals; do line="$line $r |"; done
    echo "$line **$(awk -v v="$med" 'BEGIN{printf "%.1f", v}')** | $(ratio "$med" "$base") |"
}
hdr="| driver |"; sep="|---|"
for ((r = 1; r <= ROUNDS; r++)); do hdr="$hdr r$r ms |"; sep="$sep---:|"; done
echo
echo "$hdr median ms | ratio vs ip |"
echo "$sep---:|---:|"
row "**jnet** -n NS -batch: $N_VETH veth add (one JVM, one socket)" veth jnet
row "ip -n NS -batch: $N_VETH veth add" veth ip
row "**jnet** -batch: $N_NS × (netns add + netns connect)" connect jnet
row "ip: -batch (host side) + $N_NS × ip -n NS -batch (inside)" connect ip
