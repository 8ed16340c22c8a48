#!/usr/bin/env bash
# usernet-bench.sh - side-by-side figures for rootless user-mode network drivers
# (slirp4netns, any slirp4netns-CLI-compatible binary, pasta) and a kernel veth
# baseline.  Run as root; rootless drivers and all clients run as $BENCH_USER.
#
# Isolation: everything runs inside a private "host" network namespace that this
# script creates (lo + one veth whose peer sits in an empty sink netns), so no
# packet can leave the machine even if a driver mis-routes.  "Host loopback"
# below means 127.0.0.1 of that private host netns.
#
# Usage:  usernet-bench.sh                      (defaults below)
#   ROUNDS=3 DRIVERS="slirp4netns@1500 pasta veth" usernet-bench.sh | tee out.txt
# Driver tokens (optionally suffixed @MTU):
#   slirp4netns            $SLIRP_BIN (default slirp4netns), label $SLIRP_LABEL
#   slirpcli:LABEL:PATH    any other binary with slirp4netns's CLI:
#                          PATH --configure --mtu N --ready-fd FD [$SLIRP_EXTRA] PID tap0
#   pasta                  pasta, traffic to the gateway (tap path, map-gw)
#   pasta-splice           pasta, traffic to 127.0.0.1 in the ns (-T, splice path)
#   veth                   root-made netns + veth pair (kernel baseline)
# Env: ROUNDS (1) METRICS ("startup tput ping rr conn churn") IPERF_TIME (10)
#      PING_COUNT (300) RR_COUNT (10000) CONN_COUNT (2000) STARTUP_N (10)
#      BENCH_USER (tester) SLIRP_EXTRA ("") PASTA_BIN (pasta)
#      ROTATE (0; 1: each round starts one driver later in DRIVERS)
# Output: one line per figure on stdout:
#   driver=D mtu=M metric=NAME value=V round=R
# Diagnostics go to stderr prefixed with '#'.
set -u

ROUNDS=${ROUNDS:-1}
DRIVERS=${DRIVERS:-"slirp4netns@1500 slirp4netns@65520 pasta@1500 pasta@65520 pasta-splice veth@1500 veth@65520"}
METRICS=${METRICS:-"startup tput ping rr conn churn"}
SLIRP_BIN=${SLIRP_BIN:-slirp4netns}
SLIRP_LABEL=${SLIRP_LABEL:-$(basename "$SLIRP_BIN")}
SLIRP_EXTRA=${SLIRP_EXTRA:-}
PASTA_BIN=${PASTA_BIN:-pasta}
BENCH_USER=${BENCH_USER:-tester}
IPERF_TIME=${IPERF_TIME:-10}
PING_COUNT=${PING_COUNT:-300}
RR_COUNT=${RR_COUNT:-10000}
CONN_COUNT=${CONN_COUNT:-2000}
STARTUP_N=${STARTUP_N:-10}
PY=${PY:-/usr/bin/python3}
P_IPERF=5201 P_RR=5202 P_CONN=5203
# pasta addressing: same layout as slirp4netns so clients use the same address
PASTA_NET=(-4 -I tap0 -a 10.0.2.100 -n 24 -g 10.0.2.2)

[ "$(id -u)" = 0 ] || { echo "# must run as root" >&2; exit 1; }
BUID=$(id -u "$BENCH_USER") && BGID=$(id -g "$BENCH_USER") || exit 1
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/usernet-bench.XXXXXX)
cp "$HERE/ubhelper.py" "$WORK/"
chown -R "$BUID:$BGID" "$WORK"; chmod 755 "$WORK"
HNS=ubh$$ SNS=ubs$$ VNS=ubv$$
PIDS=()        # processes we started and have not reaped yet
SRV_PIDS=()    # host-side echo / accept-close servers
DPID=""
ROUND=0
log() { echo "# $*" >&2; }
emit() { echo "driver=$1 mtu=$2 metric=$3 value=$4 round=$ROUND"; }

forget() { local p=$1 i; for i in "${!PIDS[@]}"; do [ "${PIDS[$i]}" = "$p" ] && unset 'PIDS[i]'; done; }
# stop one process we started (by PID); works for children and non-children
stop_pid() {
    local p=$1 i
    [ -n "$p" ] || return 0
    kill -TERM "$p" 2>/dev/null
    for i in $(seq 100); do [ -d /proc/$p ] && [ "$(awk '{print $3}' /proc/$p/stat 2>/dev/null)" != Z ] || break; sleep 0.03; done
    [ -d /proc/$p ] && [ "$(awk '{print $3}' /proc/$p/stat 2>/dev/null)" != Z ] && kill -KILL "$p" 2>/dev/null
    wait "$p" 2>/dev/null
    forget "$p"
}
cleanup() {
    local p
    for p in "${PIDS[@]}"; do stop_pid "$p"; done
    for n in $VNS $HNS $SNS; do ip netns del $n 2>/dev/null; done
    rm -rf "/etc/netns/$HNS"
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

as_user() { setpriv --reuid="$BUID" --regid="$BGID" --clear-groups -- "$@"; }
in_host() { ip netns exec "$HNS" setpriv --reuid="$BUID" --regid="$BGID" --clear-groups -- "$@"; }
# same as in_host but as an argv prefix, for background jobs whose PID ($!) must be
# the real process (ip netns exec and setpriv both exec, they do not fork)
HOSTRUN=(ip netns exec "$HNS" setpriv --reuid="$BUID" --regid="$BGID" --clear-groups --)
# run a client inside the driver's namespace (set by start_driver)
in_ns() {
    if [ "$KIND" = veth ]; then ip netns exec "$VNS" setpriv --reuid="$BUID" --regid="$BGID" --clear-groups -- "$@"
    else as_user nsenter -t "$NSPID" -U -n --preserve-credentials -- "$@"; fi
}
wait_listen() {  # port
    local i; for i in $(seq 250); do
        [ -n "$(ip netns exec "$HNS" ss -Hltn "sport = :$1" 2>/dev/null)" ] && return 0; sleep 0.02; done
    log "port $1 not listening"; return 1
}
ms_now() { date +%s%N; }
rss_kb() { awk -v k="$2:" '$1==k {print $2}' /proc/$1/status 2>/dev/null; }
cpu_ticks() { sed 's/.*) //' /proc/$1/stat 2>/dev/null | awk '{print $12+$13}'; }

# ------------------------------------------------------------------ host netns
setup_host() {
    # a stray lookup inside the private host netns goes to the dead-end sink, never to the
    # machine's resolvers (ip netns exec bind-mounts these over /etc)
    mkdir -p /etc/netns/$HNS && echo "nameserver 198.51.100.1" > /etc/netns/$HNS/resolv.conf &&
        printf '127.0.0.1 localhost\n' > /etc/netns/$HNS/hosts || return 1
    ip netns add $HNS && ip netns add $SNS || return 1
    ip -n $HNS link set lo up
    ip link add ubup0 netns $HNS type veth peer name ubup1 netns $SNS
    ip -n $HNS addr add 198.51.100.2/24 dev ubup0
    ip -n $HNS link set ubup0 up; ip -n $SNS link set ubup1 up
    ip -n $HNS route add default via 198.51.100.1     # dead end: sink netns
    ip -n $HNS addr add 10.0.2.2/32 dev lo             # answers pasta's ICMP to its gw
    ip netns exec $HNS sysctl -qw net.ipv4.ping_group_range="0 2147483647"
    ip netns exec $HNS sysctl -qw net.ipv4.ip_local_port_range="10000 65000"
    "${HOSTRUN[@]}" $PY "$WORK/ubhelper.py" server-echo $P_RR 43200 </dev/null &
    SRV_PIDS=($!); PIDS+=($!)
    "${HOSTRUN[@]}" $PY "$WORK/ubhelper.py" server-close $P_CONN 43200 </dev/null &
    SRV_PIDS+=($!); PIDS+=($!)
    wait_listen $P_RR && wait_listen $P_CONN
}

# ------------------------------------------------------------------ drivers
# sets KIND LABEL MTU DPID NSPID HOSTADDR
parse_token() {
    local t=$1
    MTU=""; [[ $t == *@* ]] && { MTU=${t##*@}; t=${t%@*}; }
    BIN=""; SPLICE=0
    case $t in
        slirp4netns) KIND=slirp; LABEL=$SLIRP_LABEL; BIN=$SLIRP_BIN; MTU=${MTU:-1500};;
        slirpcli:*:*) KIND=slirp; LABEL=$(cut -d: -f2 <<<"$t"); BIN=$(cut -d: -f3- <<<"$t"); MTU=${MTU:-1500};;
        pasta) KIND=pasta; LABEL=pasta; BIN=$PASTA_BIN; MTU=${MTU:-65520};;
        pasta-splice) KIND=pasta; LABEL=pasta-splice; BIN=$PASTA_BIN; SPLICE=1; MTU=${MTU:-65520};;
        veth) KIND=veth; LABEL=veth; MTU=${MTU:-1500};;
        *) log "unknown driver token $1"; return 1;;
    esac
}

new_userns() {
    "${HOSTRUN[@]}" unshare -unUr sleep 43200 </dev/null &
    NSPID=$!; PIDS+=($NSPID)
    local i; for i in $(seq 250); do
        [ "$(cat /proc/$NSPID/comm 2>/dev/null)" = sleep ] && return 0; sleep 0.02; done
    log "userns sleeper did not start"; return 1
}

start_driver() {
    DPID=""; NSPID=""; HOSTADDR=""
    case $KIND in
    slirp)
        new_userns || return 1
        local fifo=$WORK/ready.fifo rfd r=""
        rm -f "$fifo"; mkfifo "$fifo"; exec {rfd}<>"$fifo"
        # shellcheck disable=SC2086
        "${HOSTRUN[@]}" "$BIN" --configure --mtu "$MTU" --ready-fd 3 $SLIRP_EXTRA "$NSPID" tap0 \
            3>"$fifo" {rfd}<&- </dev/null >"$WORK/slirp.log" 2>&1 &
        DPID=$!; PIDS+=($DPID)
        read -t 10 -n 1 -u $rfd r; exec {rfd}<&-; rm -f "$fifo"
        [ "$r" = 1 ] || { log "$LABEL not ready: $(tail -3 "$WORK/slirp.log")"; return 1; }
        HOSTADDR=10.0.2.2 ;;
    pasta)
        new_userns || return 1
        local tspec=none; [ $SPLICE = 1 ] && tspec=$P_IPERF,$P_RR,$P_CONN
        rm -f "$WORK/pasta.pid" "$WORK/pasta.log"
        in_host "$BIN" --config-net --mtu "$MTU" "${PASTA_NET[@]}" -t none -u none -U none -T "$tspec" \
            -P "$WORK/pasta.pid" -l "$WORK/pasta.log" "$NSPID" </dev/null >/dev/null 2>&1 \
            || { log "pasta failed: $(tail -3 "$WORK/pasta.log")"; return 1; }
        DPID=$(cat "$WORK/pasta.pid"); PIDS+=($DPID)
        HOSTADDR=10.0.2.2; [ $SPLICE = 1 ] && HOSTADDR=127.0.0.1 ;;
    veth)
        ip netns add $VNS || return 1
        veth_attach $VNS || return 1
        ip netns exec $VNS sysctl -qw net.ipv4.ping_group_range="0 2147483647"
        HOSTADDR=192.0.2.1 ;;
    esac
    return 0
}
veth_attach() {  # netns  (6 ip(8) calls, as a simple CNI-like plugin would do)
    ip link add ubvh0 netns $HNS mtu "$MTU" type veth peer name eth0 netns "$1" mtu "$MTU" &&
    ip -n $HNS addr add 192.0.2.1/24 dev ubvh0 && ip -n $HNS link set ubvh0 up &&
    ip -n "$1" link set lo up && ip -n "$1" addr add 192.0.2.2/24 dev eth0 && ip -n "$1" link set eth0 up
}
stop_driver() {
    [ -n "$DPID" ] && stop_pid "$DPID"
    [ -n "$NSPID" ] && stop_pid "$NSPID"
    [ "$KIND" = veth ] && { ip -n $HNS link del ubvh0; ip netns del $VNS; } 2>/dev/null
    DPID=""; NSPID=""
}

# ------------------------------------------------------------------ measurements
m_startup() {
    local out v
    case $KIND in
    slirp)
        # shellcheck disable=SC2086
        out=$(in_host timeout 300 $PY "$WORK/ubhelper.py" startup-slirp "$BIN" "$MTU" "$STARTUP_N" $SLIRP_EXTRA) ;;
    pasta)
        out=$(in_host timeout 300 $PY "$WORK/ubhelper.py" startup-pasta "$BIN" "$MTU" "$STARTUP_N" "$WORK" \
              "${PASTA_NET[@]}" -t none -u none -U none -T none) ;;
    veth)
        local i t0 t1 s=()
        for i in $(seq "$STARTUP_N"); do
            ip netns add ${VNS}s || break
            t0=$(ms_now); veth_attach ${VNS}s; t1=$(ms_now)
            ip -n $HNS link del ubvh0; ip netns del ${VNS}s
            s+=($(( (t1 - t0) / 1000 )))
        done
        out="startup_ms $(printf '%s\n' "${s[@]}" | sort -n | awk '{a[NR]=$1} END{m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f", m/1000}')" ;;
    esac
    v=$(awk '$1=="startup_ms"{print $2}' <<<"$out")
    [ -n "$v" ] && emit "$LABEL" "$MTU" startup_ms "$v" || log "$LABEL startup: no result"
    grep -q startup_fail <<<"$out" && emit "$LABEL" "$MTU" startup_failures "$(grep -c startup_fail <<<"$out")"
}
m_ping() {
    [ "$LABEL" = pasta-splice ] && return 0     # ICMP is not spliced: same path as pasta
    local out
    out=$(in_ns timeout 60 ping -n -q -c "$PING_COUNT" -i 0.01 -W 2 "$HOSTADDR" 2>&1)
    local rtt; rtt=$(sed -n 's#.*= \([0-9.]*\)/\([0-9.]*\)/\([0-9.]*\)/\([0-9.]*\) ms#\1 \2 \3 \4#p' <<<"$out")
    if [ -z "$rtt" ]; then log "$LABEL ping failed: $out"; return; fi
    emit "$LABEL" "$MTU" ping_rtt_min_us "$(awk '{printf "%.1f", $1*1000}' <<<"$rtt")"
    emit "$LABEL" "$MTU" ping_rtt_avg_us "$(awk '{printf "%.1f", $2*1000}' <<<"$rtt")"
    local loss; loss=$(grep -o '[0-9.]*% packet loss' <<<"$out" | cut -d% -f1)
    emit "$LABEL" "$MTU" ping_loss_pct "${loss:-100}"
}
# pin (or unpin) the driver and the host-side servers; 1cpu figures measure the
# per-transaction CPU path cost without cross-vCPU wake-up latency
set_affinity() {  # cpulist
    local p; for p in $DPID "${SRV_PIDS[@]}"; do taskset -a -p -c "$1" "$p" >/dev/null 2>&1; done
}
m_helper() {  # client-rr|client-conn port count [1cpu]
    local out pin=() sfx="" cpu0="" cpu1
    if [ "${4:-}" = 1cpu ]; then pin=(taskset -c 0); sfx=_1cpu; set_affinity 0; fi
    [ -n "$DPID" ] && cpu0=$(cpu_ticks $DPID)
    out=$(in_ns timeout 150 "${pin[@]}" $PY "$WORK/ubhelper.py" "$1" "$HOSTADDR" "$2" "$3" 2>&1)
    [ -n "$DPID" ] && cpu1=$(cpu_ticks $DPID)
    [ -n "$sfx" ] && set_affinity "0-$(( $(nproc) - 1 ))"
    if ! grep -qE '^tcp_' <<<"$out"; then log "$LABEL $1$sfx failed: $out"; return; fi
    while read -r k v; do
        case $k in tcp_*) emit "$LABEL" "$MTU" "$k$sfx" "$v";; esac
    done <<<"$out"
    # the driver's CPU (user + system, all its threads) per operation, in us: less sensitive
    # to a loaded machine than the rates (CLK_TCK resolution over the whole run)
    if [ -n "$cpu0" ] && [ -n "$cpu1" ]; then
        emit "$LABEL" "$MTU" "driver_cpu_us_per_${1#client-}$sfx" \
            "$(awk -v a="$cpu0" -v b="$cpu1" -v n="$3" -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.1f", (b-a)/hz*1e6/n}')"
    fi
}
m_iperf() {  # direction: ns_to_host | host_to_ns ; [metric suffix]
    local dir=$1 sfx=${2:-} rev="" spid cpu0 cpu1 t0 t1 gbps retr hwm
    [ "$dir" = host_to_ns ] && rev=-R
    "${HOSTRUN[@]}" iperf3 -s -1 -p $P_IPERF -B 0.0.0.0 </dev/null >/dev/null 2>&1 &
    spid=$!; PIDS+=($spid)
    wait_listen $P_IPERF || { stop_pid $spid; return; }
    if [ -n "$DPID" ]; then echo 5 > /proc/$DPID/clear_refs; cpu0=$(cpu_ticks $DPID); fi
    t0=$(ms_now)
    in_ns timeout -k 5 $((IPERF_TIME + 30)) iperf3 -c "$HOSTADDR" -p $P_IPERF -t "$IPERF_TIME" -J $rev \
        </dev/null >"$WORK/iperf.json" 2>&1
    t1=$(ms_now)
    read -r gbps retr < <($PY -c 'import json,sys; e=json.load(open(sys.argv[1]))["end"]; print("%.3f %s" % (e["sum_received"]["bits_per_second"]/1e9, e["sum_sent"].get("retransmits", "na")))' "$WORK/iperf.json" 2>/dev/null)
    if [ -n "$gbps" ]; then emit "$LABEL" "$MTU" tcp_${dir}_gbps$sfx "$gbps"; emit "$LABEL" "$MTU" tcp_${dir}_retrans$sfx "$retr"
    else log "$LABEL iperf3 $dir failed: $(head -c 300 "$WORK/iperf.json")"; fi
    if [ -n "$DPID" ]; then
        cpu1=$(cpu_ticks $DPID); hwm=$(rss_kb $DPID VmHWM)
        emit "$LABEL" "$MTU" rss_peak_${dir}_kb$sfx "$hwm"
        emit "$LABEL" "$MTU" driver_cpu_${dir}_pct$sfx \
            "$(awk -v a="$cpu0" -v b="$cpu1" -v dt=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.1f", (b-a)/hz/(dt/1e9)*100}')"
    fi
    stop_pid $spid
}

run_driver() {
    parse_token "$1" || return
    log "round $ROUND: $LABEL mtu=$MTU"
    [[ " $METRICS " == *" startup "* ]] && m_startup
    if ! start_driver; then log "$LABEL: start failed"; emit "$LABEL" "$MTU" start_failed 1; stop_driver; return; fi
    sleep 1
    [ -n "$DPID" ] && emit "$LABEL" "$MTU" rss_idle_kb "$(rss_kb $DPID VmRSS)"
    # throughput first, on a fresh driver: connection churn leaves state behind
    # in some drivers (see the churn figure below)
    if [[ " $METRICS " == *" tput "* ]]; then m_iperf ns_to_host; m_iperf host_to_ns; fi
    [[ " $METRICS " == *" ping "* ]] && m_ping
    [[ " $METRICS " == *" rr "* ]] && { m_helper client-rr $P_RR "$RR_COUNT"; m_helper client-rr $P_RR "$RR_COUNT" 1cpu; }
    [[ " $METRICS " == *" conn "* ]] && { m_helper client-conn $P_CONN "$CONN_COUNT"; m_helper client-conn $P_CONN "$CONN_COUNT" 1cpu; }
    # same ns->host throughput again, right after 2 x CONN_COUNT short connections
    [[ " $METRICS " == *" churn "* ]] && m_iperf ns_to_host _after_churn
    if [ -n "$DPID" ]; then
        if [ -d /proc/$DPID ]; then emit "$LABEL" "$MTU" rss_after_kb "$(rss_kb $DPID VmRSS)"
        else log "$LABEL driver died"; emit "$LABEL" "$MTU" driver_died 1; fi
    fi
    stop_driver
}

setup_host || { log "host netns setup failed"; exit 1; }
log "versions: $("$SLIRP_BIN" --version 2>/dev/null | head -1) | passt $(dpkg-query -W -f='${Version}' passt 2>/dev/null) | $(iperf3 --version | head -1) | kernel $(uname -r)"
read -r -a DLIST <<<"$DRIVERS"
for ROUND in $(seq "$ROUNDS"); do
    # ROTATE=1: round r starts at the r-th driver, so that no driver always runs right after the
    # same one (the first driver of a round follows the last one's connection churn)
    off=0; [ "${ROTATE:-0}" = 1 ] && off=$(( (ROUND - 1) % ${#DLIST[@]} ))
    for i in "${!DLIST[@]}"; do run_driver "${DLIST[$(( (i + off) % ${#DLIST[@]} ))]}"; done
done
