#!/usr/bin/env bash
# netns-bench.sh - N named network namespaces added then deleted (default 200):
#   jnet        the jnet library in ONE JVM (dev.jnet.bench.NetnsChurn), timed inside the JVM
#               from the first library call to the last delete: JVM start-up excluded, the
#               library's one-time initialisation (JNA, class loading) included;
#   jnet-jvm    the same run from the exec of java to its last delete (JVM start-up included);
#   jnet-warm   a second churn in the same JVM after a SETTLE_S pause (WARM=0 skips it);
#   ip-batch    `ip -batch` (one process for the adds, one for the deletes);
#   ip-percall  one `ip netns add|del` process per operation (context; PERCALL=0 skips it).
# Rounds are interleaved (jnet, ip-batch, ip-percall, jnet, ...), with a settle pause after
# every driver: the kernel tears namespaces down asynchronously and that work would
# otherwise be billed to the next driver. Prints per-round times, medians and the
# jnet / ip-batch ratio (lower is better) as a markdown table on stdout; progress on stderr.
# Run as root.  Env: ROUNDS (5) N (200) SETTLE_S (3) PERCALL (1) WARM (1)
#   BUILD (auto|1|0) MVN_ARGS (-o: offline; empty to let Maven download) JAVA (java) JAVA_OPTS ()
#   RAW (file to append raw result lines to)
set -u
export LC_ALL=C              # EPOCHREALTIME and awk with a '.' decimal point
ROUNDS=${ROUNDS:-5}
N=${N:-200}
SETTLE_S=${SETTLE_S:-3}
PERCALL=${PERCALL:-1}
WARM=${WARM:-1}
BUILD=${BUILD:-auto}
MVN_ARGS=${MVN_ARGS--o}
JAVA=${JAVA:-java}
JAVA_OPTS=${JAVA_OPTS:-}
RAW=${RAW:-}

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
P=jb$$-                      # every name we create starts with this
WORK=$(mktemp -d /tmp/netns-bench.XXXXXX)
CHILD=                       # pid of the java or ip process running right now
JVM_WALL=
log() { echo "# $*" >&2; }
die() { log "$*"; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root"
case $ROUNDS$N in *[!0-9]*) die "ROUNDS and N must be numbers";; esac
[ "$ROUNDS" -ge 1 ] && [ "$ROUNDS" -le 100 ] || die "ROUNDS must be 1..100"
[ "$N" -ge 1 ] && [ "$N" -le 10000 ] || die "N must be 1..10000"

ours() { ip netns list 2>/dev/null | awk '{print $1}' | grep "^${P}" ; }
cleanup() {
    local n pass left=0
    trap - EXIT INT TERM
    if [ -n "$CHILD" ] && kill -0 "$CHILD" 2>/dev/null; then
        kill -TERM "$CHILD" 2>/dev/null
        wait "$CHILD" 2>/dev/null          # it must stop before we delete what it made
    fi
    # twice: an `ip` started by a killed per-call loop may still be finishing its add
    for pass in 1 2; do
        for n in $(ours); do ip netns del "$n" 2>/dev/null; done
        [ $pass = 2 ] || sleep 0.3
    done
    for n in $(ours); do left=$((left + 1)); log "could not delete netns $n"; done
    rm -rf "$WORK"
    [ "$left" = 0 ] || log "WARNING: $left namespaces of ours left behind"
}
trap cleanup EXIT
trap 'log interrupted; exit 130' INT TERM

# Runs a command in the background and waits for it, so that a signal reaches our trap at
# once (bash defers traps while a foreground child runs). Sets T_MS to its wall time.
T_MS=
timed() {
    local t0 t1 rc
    t0=$EPOCHREALTIME
    "$@" & CHILD=$!
    wait "$CHILD"; rc=$?
    t1=$EPOCHREALTIME; CHILD=
    T_MS=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", (b-a)*1000}')
    return $rc
}
emit() {  # driver metric value_ms
    local line="round=$ROUND driver=$1 metric=$2 value_ms=$3"
    echo "$line" >> "$WORK/raw"
    [ -z "$RAW" ] || echo "$line" >> "$RAW"
}
check_gone() {  # driver
    local left; left=$(ours | wc -l)
    [ "$left" = 0 ] || die "$1 left $left namespaces behind (round $ROUND)"
}

# Kernel netns teardown is asynchronous (cleanup_net work): pause so that it is not billed
# to the next driver. (No reliable "teardown finished" signal exists: the net_namespace
# slab count is per-CPU-cached, and other namespaces on the machine may come and go.)
settle() { sleep "$SETTLE_S"; }

# ---- build -------------------------------------------------------------------------
CP="$HERE/target/classes:$HERE/target/lib/*"
needs_build() {
    local stamp="$HERE/target/classes/dev/jnet/bench/NetnsChurn.class" lib
    [ -f "$stamp" ] || return 0
    for lib in jnet-netns-core jnet-native jna; do
        ls "$HERE"/target/lib/"$lib"-*.jar >/dev/null 2>&1 || return 0
    done
    # anything the benchmark runs newer than the last build?
    [ -n "$(find "$HERE/src" "$HERE/pom.xml" "$ROOT/netns-core/src/main" "$ROOT/native/src/main" \
        "$ROOT/netns-core/pom.xml" "$ROOT/native/pom.xml" -newer "$HERE/target/lib" -print -quit 2>/dev/null)" ]
}
if [ "$BUILD" = 1 ] || { [ "$BUILD" = auto ] && needs_build; }; then
    log "building bench and its dependencies (mvn $MVN_ARGS -pl bench -am package)"
    # shellcheck disable=SC2086
    (cd "$ROOT" && mvn -B -q $MVN_ARGS -DskipTests -pl bench -am package) >&2 || die "build failed"
    touch "$HERE/target/lib"
fi
[ -f "$HERE/target/classes/dev/jnet/bench/NetnsChurn.class" ] || die "not built (BUILD=0?)"

# ---- drivers -----------------------------------------------------------------------
run_jnet() {
    local v m reps=1
    [ "$WARM" = 1 ] && reps=2
    # shellcheck disable=SC2086
    timed "$JAVA" $JAVA_OPTS -cp "$CP" dev.jnet.bench.NetnsChurn --prefix "${P}j" --n "$N" \
        --reps "$reps" --settle-ms "$((SETTLE_S * 1000))" --launched-at "$EPOCHREALTIME" \
        > "$WORK/jnet.out" 2> "$WORK/jnet.err" || { cat "$WORK/jnet.err" >&2; die "jnet run failed (round $ROUND)"; }
    JVM_WALL=$T_MS
    jnet_value() {  # metric rep
        awk -v m="metric=$1" -v r="rep=$2" '$1 == m && $4 == r {sub("value_ms=", "", $3); print $3}' "$WORK/jnet.out"
    }
    for m in add del add_del; do
        v=$(jnet_value "netns_${m}_$N" 1)
        [ -n "$v" ] || { cat "$WORK/jnet.out" "$WORK/jnet.err" >&2; die "no $m result from jnet"; }
        emit jnet "netns_${m}_$N" "$v"
        [ "$WARM" = 1 ] && emit jnet-warm "netns_${m}_$N" "$(jnet_value "netns_${m}_$N" 2)"
    done
    emit jnet-jvm "netns_add_del_$N" "$(jnet_value "netns_add_del_${N}_since_launch" 1)"
    emit jnet "netns_first_add" "$(jnet_value netns_first_add 1)"
    check_gone jnet
}
run_batch() {
    local i a d
    for ((i = 1; i <= N; i++)); do echo "netns add ${P}b$i"; done > "$WORK/add"
    for ((i = 1; i <= N; i++)); do echo "netns del ${P}b$i"; done > "$WORK/del"
    timed ip -batch "$WORK/add" || die "ip -batch add failed (round $ROUND)"; a=$T_MS
    timed ip -batch "$WORK/del" || die "ip -batch del failed (round $ROUND)"; d=$T_MS
    emit ip-batch "netns_add_$N" "$a"
    emit ip-batch "netns_del_$N" "$d"
    emit ip-batch "netns_add_del_$N" "$(awk -v a="$a" -v d="$d" 'BEGIN{printf "%.1f", a + d}')"
    check_gone ip-batch
}
percall_loop() {  # op letter
    local i
    for ((i = 1; i <= N; i++)); do ip netns "$1" "${P}p$i" || return 1; done
}
run_percall() {
    local a d
    timed percall_loop add || die "ip netns add failed (round $ROUND)"; a=$T_MS
    timed percall_loop del || die "ip netns del failed (round $ROUND)"; d=$T_MS
    emit ip-percall "netns_add_$N" "$a"
    emit ip-percall "netns_del_$N" "$d"
    emit ip-percall "netns_add_del_$N" "$(awk -v a="$a" -v d="$d" 'BEGIN{printf "%.1f", a + d}')"
    check_gone ip-percall
}
value() { awk -v r="round=$1" -v d="driver=$2" -v m="metric=$3" '$1 == r && $2 == d && $3 == m {sub("value_ms=", "", $4); print $4}' "$WORK/raw"; }

log "$(ip -V 2>&1 | grep -o 'iproute2-[0-9.]*'), kernel $(uname -r), $(nproc) CPUs, $("$JAVA" -version 2>&1 | head -1)"
log "N=$N ROUNDS=$ROUNDS SETTLE_S=$SETTLE_S prefix=$P"
DRIVERS="jnet ip-batch"
[ "$PERCALL" = 1 ] && DRIVERS="$DRIVERS ip-percall"
: > "$WORK/raw"
for ((ROUND = 1; ROUND <= ROUNDS; ROUND++)); do
    [ "$ROUND" = 1 ] && settle
    for d in $DRIVERS; do
        case $d in
            jnet) run_jnet ;;
            ip-batch) run_batch ;;
            ip-percall) run_percall ;;
        esac
        settle
    done
    msg="round $ROUND: jnet $(value "$ROUND" jnet "netns_add_del_$N") ms"
    msg="$msg (first add $(value "$ROUND" jnet netns_first_add) ms; from exec $(value "$ROUND" jnet-jvm "netns_add_del_$N") ms;"
    if [ "$WARM" = 1 ]; then
        msg="$msg warm $(value "$ROUND" jnet-warm "netns_add_del_$N") ms;"
        msg="$msg java process $JVM_WALL ms incl. the ${SETTLE_S} s pause and the warm run)"
    else
        msg="$msg java process $JVM_WALL ms)"
    fi
    msg="$msg, ip-batch $(value "$ROUND" ip-batch "netns_add_del_$N") ms"
    [ "$PERCALL" = 1 ] && msg="$msg, ip-percall $(value "$ROUND" ip-percall "netns_add_del_$N") ms"
    log "$msg [loadavg $(cut -d' ' -f1 /proc/loadavg)]"
done

# ---- table ---------------------------------------------------------------------------
median() { sort -g | awk '{v[NR] = $1} END {if (NR == 0) exit; print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
series() { local r; for ((r = 1; r <= ROUNDS; r++)); do value "$r" "$1" "$2"; done; }
fmt() { awk -v v="$1" 'BEGIN{printf "%.1f", v}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{if (b > 0) printf "%.2f", a / b; else print "-"}'; }
row() {  # label driver metric
    local vals med base line r
    vals=$(series "$2" "$3")
    med=$(echo "$vals" | median)
    base=$(series ip-batch "$3" | median)
    line="| $1 |"
    for r in $vals; do line="$line $r |"; done
    echo "$line **$(fmt "$med")** | $(ratio "$med" "$base") |"
}
hdr="| driver (${N} adds + ${N} deletes) |"; sep="|---|"
for ((r = 1; r <= ROUNDS; r++)); do hdr="$hdr r$r ms |"; sep="$sep---:|"; done
echo
echo "$hdr median ms | ratio vs ip-batch |"
echo "$sep---:|---:|"
row "**jnet** (one JVM, in-process; JVM start excluded)" jnet "netns_add_del_$N"
row "ip -batch (2 processes)" ip-batch "netns_add_del_$N"
[ "$WARM" = 1 ] && row "jnet warm (2nd churn in the same JVM, after ${SETTLE_S} s)" jnet-warm "netns_add_del_$N"
row "jnet from \`exec java\` (JVM start included)" jnet-jvm "netns_add_del_$N"
[ "$PERCALL" = 1 ] && row "ip, one process per op ($((2 * N)) processes)" ip-percall "netns_add_del_$N"
echo
echo "| split (medians) | jnet ms | ip-batch ms | jnet / ip-batch |$([ "$WARM" = 1 ] && echo " jnet warm ms | warm / ip-batch |")"
echo "|---|---:|---:|---:|$([ "$WARM" = 1 ] && echo "---:|---:|")"
for m in add del; do
    j=$(series jnet "netns_${m}_$N" | median); b=$(series ip-batch "netns_${m}_$N" | median)
    line="| $N × $m | $(fmt "$j") | $(fmt "$b") | $(ratio "$j" "$b") |"
    if [ "$WARM" = 1 ]; then
        w=$(series jnet-warm "netns_${m}_$N" | median)
        line="$line $(fmt "$w") | $(ratio "$w" "$b") |"
    fi
    echo "$line"
done
echo
echo "jnet's first add alone (one-time library initialisation: JNA, class loading, mountinfo):" \
    "median $(fmt "$(series jnet netns_first_add | median)") ms of the jnet total."
pr=""
for ((r = 1; r <= ROUNDS; r++)); do
    pr="$pr $(ratio "$(value "$r" jnet "netns_add_del_$N")" "$(value "$r" ip-batch "netns_add_del_$N")")"
done
echo
echo "jnet/ip-batch per round:$pr; median of per-round ratios: $(echo "$pr" | tr ' ' '\n' | grep . | median)" \
    "(goal <= 1.0, lower is better)"
