#!/usr/bin/env bash
# rtnl-bench.sh - jnet's rtnetlink code against iproute2, two cases, interleaved per round:
#   veth     N_VETH (500) veth pairs vK/pK in a fresh namespace;
#   connect  N_NS (200) namespaces added and wired (veth pair, peer inside, /30 addresses on both
#            ends, both ends and lo up, default route inside).
# Drivers per case:
#   jnet-lib   the library in one JVM (dev.jnet.bench.RtnlChurn), one JVM per case per round,
#              timed inside the JVM from the first request to the last answer, JVM start-up and
#              library set-up (JNA, socket) excluded: cold = the JVM's first run of the case,
#              warm = its later runs (WARM_REPS, median). veth: one pipelined batch
#              (RtnlHandle.beginBatch/endBatch); connect: NetnsManager.add + NetnsConnector.connect.
#   jnet-cli   the CLI, whole process timed (JVM start included): `jnet -n NS -batch FILE` of
#              `link add` lines; `jnet -batch FILE` of `netns add` + `netns connect` lines.
#   ip         `ip -n NS -batch FILE` (veth); connect: one `ip -batch` for the host side (netns
#              add, link add veth peer in the namespace, addr add, link set up) plus one
#              `ip -n NS -batch` per namespace for its side (addr add, link set up x2, route add),
#              since ip -batch lines cannot name a namespace.
# Clean-up between runs is not timed, and a SETTLE_S pause follows every run (namespace teardown
# is asynchronous). Prints a markdown table of per-round times, medians and the ratio to ip
# (lower is better) on stdout; progress on stderr.
# Run as root. Env: ROUNDS (5) N_VETH (500) N_NS (200) SETTLE_S (2) WARM_REPS (2) CLI (1: also
#   the jnet CLI) JNET (./jnet of this tree) JAVA (java) JAVA_OPTS () PREFIX (jr: names start
#   PREFIX<pid>) BUILD (auto|1|0) MVN_ARGS (-o) RAW (file to append raw result lines to)
# Addresses used: 10.200.0.0/16 only, inside the namespaces made here.
set -u
export LC_ALL=C
ROUNDS=${ROUNDS:-5}
N_VETH=${N_VETH:-500}
N_NS=${N_NS:-200}
SETTLE_S=${SETTLE_S:-2}
WARM_REPS=${WARM_REPS:-2}
CLI=${CLI:-1}
BUILD=${BUILD:-auto}
MVN_ARGS=${MVN_ARGS--o}
JAVA=${JAVA:-java}
JAVA_OPTS=${JAVA_OPTS:-}
RAW=${RAW:-}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
JNET=${JNET:-$ROOT/jnet}
P=${PREFIX:-jr}$$            # every namespace name starts with this
HP=h$$-                      # every host-side link name starts with this
WORK=$(mktemp -d /tmp/rtnl-bench.XXXXXX)
CHILD=                       # the process being timed right now
LIB_PID=                     # the RtnlChurn JVM of this round and case
log() { echo "# $*" >&2; }
die() { log "$*"; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root"
case $ROUNDS$N_VETH$N_NS$WARM_REPS in *[!0-9]*) die "ROUNDS, N_VETH, N_NS and WARM_REPS must be numbers";; esac
[ "$ROUNDS" -ge 1 ] && [ "$ROUNDS" -le 50 ] || die "ROUNDS must be 1..50"
[ "$N_VETH" -ge 1 ] && [ "$N_VETH" -le 4000 ] || die "N_VETH must be 1..4000"
[ "$N_NS" -ge 1 ] && [ "$N_NS" -le 1000 ] || die "N_NS must be 1..1000 (addresses are /30s of 10.200.0.0/16)"
[ "$WARM_REPS" -ge 1 ] && [ "$WARM_REPS" -le 20 ] || die "WARM_REPS must be 1..20"
case $P in *[!a-z0-9]*) die "PREFIX must be lower-case letters and digits";; esac
[ "${#P}" -le 12 ] || die "PREFIX is too long"
[ "${#HP}" -le 9 ] || die "pid too long for host link names ${HP}xNNN (15 bytes at most)"

ours() { ip netns list 2>/dev/null | awk '{print $1}' | grep "^${P}" ; }
cleanup_ns() {
    local n pass
    for pass in 1 2; do
        for n in $(ours); do ip netns del "$n" 2>/dev/null; done
        [ $pass = 2 ] || sleep 0.2
    done
    rm -f /run/jnet/connect/"${P}"* "$WORK"/state/connect/* 2>/dev/null
    # host ends die with their namespaces' peers; remove any left by an interrupted run
    for n in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' | grep "^${HP}"); do
        ip link del "$n" 2>/dev/null
    done
}
lib_stop() {
    [ -n "$LIB_PID" ] || return 0
    echo quit >&"${LIB_IN}" 2>/dev/null
    exec {LIB_IN}>&- {LIB_OUT}<&-
    wait "$LIB_PID" 2>/dev/null || true
    LIB_PID=
}
cleanup() {
    trap - EXIT INT TERM
    if [ -n "$CHILD" ] && kill -0 "$CHILD" 2>/dev/null; then kill -TERM "$CHILD" 2>/dev/null; wait "$CHILD" 2>/dev/null; fi
    if [ -n "$LIB_PID" ] && kill -0 "$LIB_PID" 2>/dev/null; then kill -TERM "$LIB_PID" 2>/dev/null; wait "$LIB_PID" 2>/dev/null; fi
    cleanup_ns
    rm -rf "$WORK"
    [ -z "$(ours)" ] || log "WARNING: namespaces of ours left behind: $(ours | tr '\n' ' ')"
}
trap cleanup EXIT
trap 'log interrupted; exit 130' INT TERM

T_MS=
T_CPU=
timed() {  # runs "$@" in the background (so a signal reaches our trap), sets T_MS and T_CPU
    local t0 t1 rc c0 c1
    times > "$WORK/times0"
    t0=$EPOCHREALTIME
    "$@" & CHILD=$!
    wait "$CHILD"; rc=$?
    t1=$EPOCHREALTIME; CHILD=
    times > "$WORK/times1"
    T_MS=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", (b-a)*1000}')
    # user+sys of what the shell reaped meanwhile (the timed process and its children)
    c0=$(awk 'END { gsub(/[ms]/, " "); printf "%.1f", ($1*60 + $2 + $3*60 + $4) * 1000 }' "$WORK/times0")
    c1=$(awk 'END { gsub(/[ms]/, " "); printf "%.1f", ($1*60 + $2 + $3*60 + $4) * 1000 }' "$WORK/times1")
    T_CPU=$(awk -v a="$c0" -v b="$c1" 'BEGIN{printf "%.1f", b-a}')
    return $rc
}
emit() {  # case driver value_ms
    local line="round=$ROUND case=$1 driver=$2 value_ms=$3"
    echo "$line" >> "$WORK/raw"
    [ -z "$RAW" ] || echo "$line" >> "$RAW"
}
value() { awk -v r="round=$1" -v c="case=$2" -v d="driver=$3" '$1==r && $2==c && $3==d {sub("value_ms=","",$4); print $4}' "$WORK/raw"; }
median() { sort -g | awk '{v[NR]=$1} END {if (NR==0) exit; print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
field() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }  # name line

# ---- build ----------------------------------------------------------------------------
CP="$HERE/target/classes:$HERE/target/lib/*"
needs_build() {
    [ -f "$HERE/target/classes/dev/jnet/bench/RtnlChurn.class" ] || return 0
    ls "$HERE"/target/lib/jnet-netns-core-*.jar >/dev/null 2>&1 || return 0
    [ -n "$(find "$HERE/src" "$HERE/pom.xml" "$ROOT/netns-core/src/main" "$ROOT/native/src/main" \
        "$ROOT/netns-core/pom.xml" "$ROOT/native/pom.xml" -newer "$HERE/target/lib" -print -quit 2>/dev/null)" ]
}
if [ "$BUILD" = 1 ] || { [ "$BUILD" = auto ] && needs_build; }; then
    log "building bench and its dependencies (mvn $MVN_ARGS -pl bench -am package)"
    # shellcheck disable=SC2086
    (cd "$ROOT" && mvn -B -q $MVN_ARGS -DskipTests -pl bench -am package) >&2 || die "build failed"
    touch "$HERE/target/lib"
fi
[ -f "$HERE/target/classes/dev/jnet/bench/RtnlChurn.class" ] || die "bench not built (BUILD=0?)"
if [ "$CLI" = 1 ]; then
    "$JNET" --version >/dev/null 2>&1 || die "$JNET does not run (it builds itself on first use; CLI=0 skips it)"
fi

# ---- inputs ---------------------------------------------------------------------------
for ((i = 0; i < N_VETH; i++)); do echo "link add v$i type veth peer name p$i"; done > "$WORK/veth"
addr() {  # K host|ns -> 10.200.X.Y/30 (RtnlChurn.slash30 numbers them the same way)
    local k=$1 base; base=$((k * 4))
    echo "10.200.$((base / 256)).$((base % 256 + $([ "$2" = host ] && echo 1 || echo 2)))/30"
}
mk_connect() {  # tag -> files
    local tag=$1 k n h
    : > "$WORK/jnet-$tag"; : > "$WORK/ip-$tag"
    for ((k = 0; k < N_NS; k++)); do
        n=${P}$tag$k; h=${HP}$tag$k
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

# ---- the library driver: one JVM per case and round, commands over a pipe --------------
lib_start() {  # case
    local line
    mkdir -p "$WORK/state"
    rm -f "$WORK/lib.in" "$WORK/lib.out"; mkfifo "$WORK/lib.in" "$WORK/lib.out"
    # shellcheck disable=SC2086
    "$JAVA" $JAVA_OPTS -cp "$CP" dev.jnet.bench.RtnlChurn --state-dir "$WORK/state" --launched-at "$EPOCHREALTIME" \
        < "$WORK/lib.in" > "$WORK/lib.out" 2> "$WORK/lib.err" & LIB_PID=$!
    exec {LIB_IN}> "$WORK/lib.in" {LIB_OUT}< "$WORK/lib.out"
    read -r -t 60 line <&"${LIB_OUT}" || { cat "$WORK/lib.err" >&2; die "RtnlChurn did not start"; }
    case $line in ready*) ;; *) cat "$WORK/lib.err" >&2; die "RtnlChurn: $line";; esac
    emit "$1" jnet-lib-setup "$(field setup_ms "$line")"
    emit "$1" jnet-lib-launch "$(field since_launch_ms "$line")"
}
LIB_REPLY=
lib_cmd() {  # command... -> LIB_REPLY (a result line)
    echo "$*" >&"${LIB_IN}"
    read -r -t 300 LIB_REPLY <&"${LIB_OUT}" || { cat "$WORK/lib.err" >&2; die "RtnlChurn did not answer: $*"; }
    case $LIB_REPLY in result*) ;; *) cat "$WORK/lib.err" >&2; die "RtnlChurn: $LIB_REPLY";; esac
}

lib_log() {  # rep: keeps the driver's whole result line (CPU times too)
    echo "round=$ROUND rep=$1 $LIB_REPLY" >> "$WORK/lib.log"
    [ -z "$RAW" ] || echo "round=$ROUND rep=$1 $LIB_REPLY" >> "$RAW"
}

# ---- drivers --------------------------------------------------------------------------
check_veth() {  # driver ns
    local made; made=$(ip -n "$2" -o link | grep -c '^[0-9]*: v')
    [ "$made" = "$N_VETH" ] || die "$1 made $made of $N_VETH veths (round $ROUND)"
}
run_veth() {  # driver [rep]
    local ns=${P}v
    ip netns add "$ns" || die "netns add $ns"
    case $1 in
        jnet-cli) timed "$JNET" -n "$ns" -batch "$WORK/veth" > /dev/null || die "jnet veth batch failed (round $ROUND)" ;;
        ip) timed ip -n "$ns" -batch "$WORK/veth" > /dev/null || die "ip veth batch failed (round $ROUND)" ;;
        jnet-lib) lib_cmd veth "$ns" "$N_VETH"; T_MS=$(field value_ms "$LIB_REPLY")
            lib_log "$2" ;;
    esac
    check_veth "$1" "$ns"
    if [ "$1" = jnet-lib ]; then
        emit veth "jnet-lib-$2" "$T_MS"
        emit veth "jnet-lib-$2-cpu" "$(awk -v u="$(field user_ms "$LIB_REPLY")" -v s="$(field sys_ms "$LIB_REPLY")" 'BEGIN{printf "%.1f", u+s}')"
        emit veth "jnet-lib-$2-runq" "$(field runq_ms "$LIB_REPLY")"
    else
        emit veth "$1" "$T_MS"
        emit veth "$1-cpu" "$T_CPU"
    fi
    ip netns del "$ns"
}
ip_connect_all() {
    local k
    ip -batch "$WORK/ip-i" > /dev/null || return 1
    for ((k = 0; k < N_NS; k++)); do ip -n "${P}i$k" -batch "$WORK/ipns-i-$k" > /dev/null || return 1; done
}
run_connect() {  # driver [rep]
    local tag
    case $1 in
        jnet-cli) tag=j; timed "$JNET" -batch "$WORK/jnet-j" > /dev/null || die "jnet connect batch failed (round $ROUND)" ;;
        ip) tag=i; timed ip_connect_all || die "ip connect batch failed (round $ROUND)" ;;
        jnet-lib) tag=l; lib_cmd connect "${P}l" "${HP}l" "$N_NS"; T_MS=$(field value_ms "$LIB_REPLY")
            lib_log "$2" ;;
    esac
    # check one end to end: the last namespace reaches its host end
    ip netns exec "${P}$tag$((N_NS - 1))" ping -c1 -W2 "$(addr $((N_NS - 1)) host | cut -d/ -f1)" > /dev/null \
        || die "$1: last namespace cannot ping its host end (round $ROUND)"
    [ "$(ours | wc -l)" = "$N_NS" ] || die "$1 made $(ours | wc -l) of $N_NS namespaces (round $ROUND)"
    if [ "$1" = jnet-lib ]; then emit connect "jnet-lib-$2" "$T_MS"; else emit connect "$1" "$T_MS"; fi
    cleanup_ns
}
run_case() {  # case: cli, ip, then the library cold and warm, each followed by the settle pause
    local c=$1 rep w
    lib_start "$c"
    if [ "$CLI" = 1 ]; then "run_$c" jnet-cli; sleep "$SETTLE_S"; fi
    "run_$c" ip; sleep "$SETTLE_S"
    for ((rep = 1; rep <= WARM_REPS + 1; rep++)); do "run_$c" jnet-lib "$rep"; sleep "$SETTLE_S"; done
    lib_stop
    emit "$c" jnet-lib-cold "$(value "$ROUND" "$c" jnet-lib-1)"
    emit "$c" jnet-lib-cold-cpu "$(value "$ROUND" "$c" jnet-lib-1-cpu)"
    emit "$c" jnet-lib-cold-runq "$(value "$ROUND" "$c" jnet-lib-1-runq)"
    emit "$c" jnet-lib-warm-cpu "$(for ((rep = 2; rep <= WARM_REPS + 1; rep++)); do value "$ROUND" "$c" "jnet-lib-$rep-cpu"; done | median)"
    emit "$c" jnet-lib-warm-runq "$(for ((rep = 2; rep <= WARM_REPS + 1; rep++)); do value "$ROUND" "$c" "jnet-lib-$rep-runq"; done | median)"
    w=$(for ((rep = 2; rep <= WARM_REPS + 1; rep++)); do value "$ROUND" "$c" "jnet-lib-$rep"; done | median)
    emit "$c" jnet-lib-warm "$w"
}

log "$(ip -V 2>&1 | grep -o 'iproute2-[0-9.]*'), kernel $(uname -r), $(nproc) CPUs, $("$JAVA" -version 2>&1 | head -1)"
log "ROUNDS=$ROUNDS N_VETH=$N_VETH N_NS=$N_NS WARM_REPS=$WARM_REPS SETTLE_S=$SETTLE_S prefix=$P"
: > "$WORK/raw"
for ((ROUND = 1; ROUND <= ROUNDS; ROUND++)); do
    [ "$ROUND" = 1 ] && sleep "$SETTLE_S"
    run_case veth
    run_case connect
    log "round $ROUND: veth lib cold $(value $ROUND veth jnet-lib-cold) warm $(value $ROUND veth jnet-lib-warm)" \
        "cli $(value $ROUND veth jnet-cli) ip $(value $ROUND veth ip) ms;" \
        "connect lib cold $(value $ROUND connect jnet-lib-cold) warm $(value $ROUND connect jnet-lib-warm)" \
        "cli $(value $ROUND connect jnet-cli) ip $(value $ROUND connect ip) ms [loadavg $(cut -d' ' -f1 /proc/loadavg)]"
done

# ---- table ----------------------------------------------------------------------------
series() { local r; for ((r = 1; r <= ROUNDS; r++)); do value "$r" "$1" "$2"; done; }
fmt() { awk -v v="$1" 'BEGIN{printf "%.1f", v}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{if (b > 0) printf "%.2f", a/b; else print "-"}'; }
row() {  # label case driver
    local vals med base line r
    vals=$(series "$2" "$3"); med=$(echo "$vals" | median); base=$(series "$2" ip | median)
    line="| $1 |"; for r in $vals; do line="$line $r |"; done
    echo "$line **$(fmt "$med")** | $(ratio "$med" "$base") |"
}
per_round() {  # case driver: jnet/ip of each round, and their median
    local r pr=""
    for ((r = 1; r <= ROUNDS; r++)); do pr="$pr $(ratio "$(value "$r" "$1" "$2")" "$(value "$r" "$1" ip)")"; done
    echo "$pr; median $(echo "$pr" | tr ' ' '\n' | grep . | median)"
}
hdr="| driver |"; sep="|---|"
for ((r = 1; r <= ROUNDS; r++)); do hdr="$hdr r$r ms |"; sep="$sep---:|"; done
echo
echo "$hdr median ms | ratio vs ip |"
echo "$sep---:|---:|"
row "**jnet** library, one JVM, cold (1st run; JVM start and set-up excluded): $N_VETH veth add, one pipelined batch" veth jnet-lib-cold
row "**jnet** library, same JVM, warm (median of runs 2-$((WARM_REPS + 1))): $N_VETH veth add" veth jnet-lib-warm
[ "$CLI" = 1 ] && row "jnet CLI, JVM start included: \`jnet -n NS -batch\`, $N_VETH \`link add\` lines" veth jnet-cli
row "ip -n NS -batch: $N_VETH veth add" veth ip
row "**jnet** library, one JVM, cold: $N_NS × (NetnsManager.add + NetnsConnector.connect)" connect jnet-lib-cold
row "**jnet** library, same JVM, warm (median of runs 2-$((WARM_REPS + 1))): $N_NS × (add + connect)" connect jnet-lib-warm
[ "$CLI" = 1 ] && row "jnet CLI, JVM start included: \`jnet -batch\`, $N_NS × (netns add + netns connect)" connect jnet-cli
row "ip: -batch (host side) + $N_NS × ip -n NS -batch (inside)" connect ip
echo
echo "Library set-up before the first request (manager, host handle: JNA and class loading), not in the figures above:" \
    "median $(fmt "$(series veth jnet-lib-setup | median)") ms; JVM exec to ready: median $(fmt "$(series veth jnet-lib-launch | median)") ms."
echo
echo "veth, CPU time (medians, ms): ip process user+sys $(fmt "$(series veth ip-cpu | median)");" \
    "jnet library requesting thread user+sys: cold $(fmt "$(series veth jnet-lib-cold-cpu | median)")," \
    "warm $(fmt "$(series veth jnet-lib-warm-cpu | median)"); the same thread waiting for a CPU (run queue):" \
    "cold $(fmt "$(series veth jnet-lib-cold-runq | median)"), warm $(fmt "$(series veth jnet-lib-warm-runq | median)")."
echo
echo "Per-round ratios to ip (lower is better, goal <= 1.0):"
echo "veth cold:$(per_round veth jnet-lib-cold); veth warm:$(per_round veth jnet-lib-warm)"
echo "connect cold:$(per_round connect jnet-lib-cold); connect warm:$(per_round connect jnet-lib-warm)"
