#!/usr/bin/python3
"""Time from exec to tap0 (and to the ready byte) for slirp4netns-CLI-compatible commands
(bench/tap-latency.sh).

    taplat.py run DRIVER N CMD...   N samples: CMD --mtu 65520 -r FD PID tap0 (no -c: as
                                    rootlesskit runs slirp4netns), one fresh guest each
    taplat.py watch                 (the guest: run by `run` inside new user+net namespaces)

The guest subscribes to its namespace's link notifications (RTMGRP_LINK) before the command
starts and stamps CLOCK_MONOTONIC when RTM_NEWLINK names tap0; `run` stamps the same clock just
before it execs the command. Prints "driver=D metric=tap_ms|ready_ms value=V" per sample.
Every wait is bounded (10 s); nothing leaves the guest's namespace (no traffic at all).
"""
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import time

RTMGRP_LINK = 1
RTM_NEWLINK = 16
IFLA_IFNAME = 3
WAIT_S = 10.0


def _tap0_in(data):
    """Whether a netlink datagram holds an RTM_NEWLINK for tap0."""
    off = 0
    while off + 16 <= len(data):
        length, kind = struct.unpack_from("=IH", data, off)
        if length < 16:
            return False
        if kind == RTM_NEWLINK:
            a = off + 16 + 16  # nlmsghdr, ifinfomsg
            while a + 4 <= off + length:
                rlen, rtype = struct.unpack_from("=HH", data, a)
                if rlen < 4:
                    break
                if rtype == IFLA_IFNAME and data[a + 4:a + rlen].split(b"\0")[0] == b"tap0":
                    return True
                a += (rlen + 3) & ~3
        off += (length + 3) & ~3
    return False


def watch():
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    s.bind((0, RTMGRP_LINK))
    print("listening", flush=True)
    end = time.monotonic() + WAIT_S
    while time.monotonic() < end:
        r, _, _ = select.select([s], [], [], max(0.0, end - time.monotonic()))
        if r and _tap0_in(s.recv(65536)):
            print("tap %d" % time.monotonic_ns(), flush=True)
            break
    # stay (the command's target) until the runner closes our stdin
    select.select([sys.stdin], [], [], 3 * WAIT_S)


def _line(f, deadline):
    r, _, _ = select.select([f], [], [], max(0.0, deadline - time.monotonic()))
    return f.readline().decode().strip() if r else ""


def _stop(p, sig=signal.SIGTERM):
    if p is None or p.poll() is not None:
        return
    p.send_signal(sig)
    try:
        p.wait(timeout=5)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait(timeout=5)


def run(driver, n, cmd):
    for _ in range(n):
        guest = subprocess.Popen(["unshare", "-Urn", sys.executable, os.path.abspath(__file__), "watch"],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        drv = None
        r, w = os.pipe()
        try:
            if _line(guest.stdout, time.monotonic() + WAIT_S) != "listening":
                print("# %s: the guest did not start" % driver, file=sys.stderr)
                continue
            argv = cmd + ["--mtu", "65520", "-r", str(w), str(guest.pid), "tap0"]
            t0 = time.monotonic_ns()
            drv = subprocess.Popen(argv, pass_fds=(w,), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
            os.close(w)
            w = -1
            deadline = time.monotonic() + WAIT_S
            tap = _line(guest.stdout, deadline)
            ready, _, _ = select.select([r], [], [], max(0.0, deadline - time.monotonic()))
            t_ready = time.monotonic_ns()
            if not tap.startswith("tap ") or not ready or os.read(r, 1) != b"1":
                print("# %s: no tap0 (%r) or no ready byte" % (driver, tap), file=sys.stderr)
                continue
            print("driver=%s metric=tap_ms value=%.3f" % (driver, (int(tap.split()[1]) - t0) / 1e6))
            print("driver=%s metric=ready_ms value=%.3f" % (driver, (t_ready - t0) / 1e6), flush=True)
        finally:
            if w >= 0:
                os.close(w)
            os.close(r)
            _stop(drv)
            guest.stdin.close()
            _stop(guest, signal.SIGKILL)


if __name__ == "__main__":
    if sys.argv[1:2] == ["watch"]:
        watch()
    elif sys.argv[1:2] == ["run"] and len(sys.argv) > 4:
        run(sys.argv[2], int(sys.argv[3]), sys.argv[4:])
    else:
        sys.exit(__doc__)
