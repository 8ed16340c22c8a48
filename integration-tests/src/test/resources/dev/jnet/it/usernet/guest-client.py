#!/usr/bin/python3
"""Clients the usernet integration tests run inside the guest (standard library only).

Every subcommand prints key=value lines the Java side parses, and bounds its own run time.
Payloads are random; their SHA-256 is printed so the test can compare with what the fake
server recorded.
"""
import errno
import hashlib
import os
import selectors
import socket
import sys
import time

CHUNK = 64 * 1024


def outcome_of(exc):
    if isinstance(exc, socket.timeout):
        return "timeout"
    if isinstance(exc, OSError) and exc.errno is not None:
        return errno.errorcode.get(exc.errno, str(exc.errno))
    return type(exc).__name__


def read_to_eof(sock):
    h = hashlib.sha256()
    n = 0
    while True:
        b = sock.recv(CHUNK)
        if not b:
            return n, h.hexdigest(), h
        h.update(b)
        n += len(b)


def cmd_connect(host, port, timeout="5", source=None):
    """Connect (from SOURCE if given), half-close, read what the server says; report the outcome and connect time."""
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    s.settimeout(float(timeout))
    if source:
        s.bind((source, 0))
    t0 = time.monotonic()
    try:
        s.connect((host, int(port)))
    except OSError as e:
        print("outcome=%s" % outcome_of(e))
        print("connect_ms=%.3f" % ((time.monotonic() - t0) * 1000))
        return 0
    print("outcome=connected")
    print("connect_ms=%.3f" % ((time.monotonic() - t0) * 1000))
    s.shutdown(socket.SHUT_WR)
    data = b""
    while len(data) < 4096:
        b = s.recv(4096)
        if not b:
            break
        data += b
    print("received=%s" % data.decode("ascii", "replace").strip())
    s.close()
    return 0


def cmd_send_then_shut(host, port, size):
    """Client half-closes first: send SIZE bytes, shutdown(SHUT_WR), then read the reply to EOF."""
    data = os.urandom(int(size))
    s = socket.create_connection((host, int(port)), timeout=30)
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    reply = b""
    while True:
        b = s.recv(CHUNK)
        if not b:
            break
        reply += b
    s.close()
    print("sent=%d %s" % (len(data), hashlib.sha256(data).hexdigest()))
    print("reply=%s" % reply.decode("ascii", "replace").strip())
    return 0


def cmd_read_then_send(host, port, size):
    """Server half-closes first: read to its EOF, then send SIZE bytes and half-close ourselves."""
    s = socket.create_connection((host, int(port)), timeout=30)
    n, digest, _ = read_to_eof(s)
    print("got=%d %s" % (n, digest))
    data = os.urandom(int(size))
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    s.close()  # the server's half is closed already: it says nothing more (the test asks it what it got)
    print("sent=%d %s" % (len(data), hashlib.sha256(data).hexdigest()))
    return 0


class Conn:
    def __init__(self, index, data):
        self.index = index
        self.data = memoryview(data)
        self.sent_digest = hashlib.sha256(data).hexdigest()
        self.offset = 0
        self.connected = False
        self.write_done = False
        self.echo = hashlib.sha256()
        self.echoed = 0
        self.error = None


def cmd_parallel(host, port, count, size, timeout="90"):
    """COUNT connections at once, each sends SIZE random bytes, half-closes, reads the echo to EOF."""
    count, size = int(count), int(size)
    deadline = time.monotonic() + float(timeout)
    sel = selectors.DefaultSelector()
    conns = []
    for i in range(count):
        c = Conn(i, os.urandom(size))
        s = socket.socket()
        s.setblocking(False)
        rc = s.connect_ex((host, int(port)))
        if rc not in (0, errno.EINPROGRESS):
            c.error = errno.errorcode.get(rc, str(rc))
            s.close()
        else:
            sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE, c)
        conns.append(c)
    live = len(sel.get_map())
    while live and time.monotonic() < deadline:
        for key, events in sel.select(timeout=1):
            s, c = key.fileobj, key.data
            try:
                if events & selectors.EVENT_WRITE and not c.write_done:
                    if not c.connected:
                        err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                        if err:
                            raise OSError(err, os.strerror(err))
                        c.connected = True
                    try:
                        c.offset += s.send(c.data[c.offset:c.offset + CHUNK])
                    except BlockingIOError:
                        pass
                    if c.offset == len(c.data):
                        s.shutdown(socket.SHUT_WR)
                        c.write_done = True
                        sel.modify(s, selectors.EVENT_READ, c)
                if events & selectors.EVENT_READ:
                    try:
                        b = s.recv(CHUNK)
                    except BlockingIOError:
                        continue
                    if b:
                        c.echo.update(b)
                        c.echoed += len(b)
                    else:
                        if not c.write_done:
                            raise OSError(errno.EPIPE, "EOF before all was sent")
                        sel.unregister(s)
                        s.close()
                        live -= 1
            except OSError as e:
                c.error = outcome_of(e)
                sel.unregister(s)
                s.close()
                live -= 1
    for key in list(sel.get_map().values()):
        key.data.error = key.data.error or "timeout"
        key.fileobj.close()
    ok = 0
    for c in conns:
        good = c.error is None and c.echoed == size and c.echo.hexdigest() == c.sent_digest
        ok += good
        print("conn=%d sent=%s echoed=%s bytes=%d error=%s"
              % (c.index, c.sent_digest, c.echo.hexdigest(), c.echoed, c.error or "-"))
    print("ok=%d" % ok)
    return 0


def cmd_hold(host, port, count, hold_seconds, timeout="30"):
    """Open COUNT connections at once (raising our own fd limit), wait until each is connected or
    failed, keep them HOLD_SECONDS, close them all; report how many connected, how many were still
    open at the end (not reset or closed meanwhile) and the errors."""
    import resource
    count = int(count)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < count + 64:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, count + 64), hard))
    deadline = time.monotonic() + float(timeout)
    sel = selectors.DefaultSelector()
    errors = {}
    connected = []
    for i in range(count):
        s = socket.socket()
        s.setblocking(False)
        rc = s.connect_ex((host, int(port)))
        if rc not in (0, errno.EINPROGRESS):
            name = errno.errorcode.get(rc, str(rc))
            errors[name] = errors.get(name, 0) + 1
            s.close()
        else:
            sel.register(s, selectors.EVENT_WRITE)
    while sel.get_map() and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=1):
            s = key.fileobj
            sel.unregister(s)
            err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                name = errno.errorcode.get(err, str(err))
                errors[name] = errors.get(name, 0) + 1
                s.close()
            else:
                connected.append(s)
    pending = len(sel.get_map())
    for key in list(sel.get_map().values()):
        key.fileobj.close()
    time.sleep(float(hold_seconds))
    alive, lost = 0, {}
    for s in connected:  # still open at the end of the hold, or reset/closed since it connected?
        try:
            alive += len(s.recv(1, socket.MSG_DONTWAIT | socket.MSG_PEEK)) > 0
        except BlockingIOError:
            alive += 1
        except OSError as e:
            name = outcome_of(e)
            lost[name] = lost.get(name, 0) + 1
        s.close()
    print("connected=%d" % len(connected))
    print("alive=%d" % alive)
    print("pending=%d" % pending)
    print("errors=%s" % (",".join("%s:%d" % kv for kv in sorted(errors.items())) or "-"))
    print("lost=%s" % (",".join("%s:%d" % kv for kv in sorted(lost.items())) or "-"))
    return 0


def cmd_udp_echo(host, port, count="3"):
    """Send COUNT datagrams of growing size; count the ones that come back unchanged."""
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    good = 0
    for i in range(int(count)):
        payload = os.urandom(100 * (i + 1) ** 3)
        s.sendto(payload, (host, int(port)))
        try:
            back, _ = s.recvfrom(65535)
        except socket.timeout:
            continue
        good += back == payload
    print("echoed=%d" % good)
    return 0


def cmd_udp_echo_size(host, port, size, tries="3"):
    """Send one datagram of SIZE random bytes (up to TRIES times); report whether it came back unchanged."""
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(3)
    payload = os.urandom(int(size))
    print("sent_sha256=%s" % hashlib.sha256(payload).hexdigest())
    for _ in range(int(tries)):
        s.sendto(payload, (host, int(port)))
        try:
            back, _ = s.recvfrom(65535)
        except socket.timeout:
            continue
        print("received=%d" % len(back))
        print("received_sha256=%s" % hashlib.sha256(back).hexdigest())
        print("echoed=%d" % (back == payload))
        return 0
    print("echoed=0")
    return 0


def inet_checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def syn_segment(src, dst, sport, dport, seq):
    hdr = sport.to_bytes(2, "big") + dport.to_bytes(2, "big") + seq.to_bytes(4, "big") + bytes(4) \
        + bytes([5 << 4, 0x02]) + (65535).to_bytes(2, "big") + bytes(4)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + bytes([0, 6]) + len(hdr).to_bytes(2, "big")
    c = inet_checksum(pseudo + hdr)
    return hdr[:16] + c.to_bytes(2, "big") + hdr[18:]


def pace(i):
    if i % 2 == 1:
        time.sleep(0.001)


def cmd_flood(src, count, seconds, seed="1"):
    """Bounded floods from the guest, only to the sandbox's fake internet (TEST-NET addresses):
    COUNT raw TCP SYNs from random ports to 203.0.113.10 (open and closed ports), COUNT UDP
    datagrams from fresh sockets to random hosts of 203.0.113.0/24 and 198.51.100.0/24, COUNT/8
    ICMP echo requests with distinct ids; stops after SECONDS whatever is left. Paced at about
    2 packets per millisecond: every packet of a new flow costs the stack a host socket, and a
    faster flood mostly overflows the tap's queue in the guest kernel, never reaching the stack."""
    import random
    rnd = random.Random(int(seed))
    count, end = int(count), time.monotonic() + float(seconds)
    sent = {"syn": 0, "udp": 0, "icmp": 0}
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
    for i in range(count):
        if time.monotonic() > end:
            break
        pace(i)
        dport = 80 if i % 4 == 0 else rnd.randrange(1, 65536)
        raw.sendto(syn_segment(src, "203.0.113.10", rnd.randrange(1024, 65536), dport, rnd.getrandbits(32)),
                   ("203.0.113.10", 0))
        sent["syn"] += 1
    raw.close()
    for i in range(count):
        if time.monotonic() > end:
            break
        pace(i)
        net = "203.0.113." if i % 2 else "198.51.100."
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            u.sendto(b"flood", (net + str(rnd.randrange(1, 255)), rnd.randrange(1, 65536)))
            sent["udp"] += 1
        except OSError:
            pass
        u.close()
    icmp = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    for i in range(count // 8):
        if time.monotonic() > end:
            break
        pace(i)
        msg = bytes([8, 0, 0, 0]) + (i & 0xFFFF).to_bytes(2, "big") + (1).to_bytes(2, "big") + b"flood"
        msg = msg[:2] + inet_checksum(msg).to_bytes(2, "big") + msg[4:]
        icmp.sendto(msg, ("203.0.113.10", 0))
        sent["icmp"] += 1
    icmp.close()
    for k, v in sent.items():
        print("%s=%d" % (k, v))
    return 0


class RawLink:
    """TCP by hand on the guest's tap through a packet socket, from SRC, an address of the subnet
    the guest's kernel does not own: segments to SRC are dropped by the kernel (no forwarding, no
    RST), so a connection lives exactly as this code says. Answers ARP for SRC (slirp4netns asks)."""

    def __init__(self, src, dev="tap0"):
        import struct
        self.struct = struct
        self.src = socket.inet_aton(src)
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
        self.sock.bind((dev, 0))
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        import fcntl
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as q:  # SIOCGIFHWADDR (/sys is the host's)
            self.mac = fcntl.ioctl(q.fileno(), 0x8927, struct.pack("256s", dev.encode()))[18:24]
        self.gw_mac = None

    def arp(self, op, dst_mac, target_mac, target_ip):
        body = self.struct.pack("!HHBBH", 1, 0x0800, 6, 4, op) + self.mac + self.src + target_mac + target_ip
        self.sock.send(dst_mac + self.mac + b"\x08\x06" + body)

    def resolve_gateway(self, gw, seconds=5):
        """ARP for the gateway (which also teaches slirp4netns our MAC)."""
        end = time.monotonic() + seconds
        while self.gw_mac is None and time.monotonic() < end:
            self.arp(1, b"\xff" * 6, bytes(6), socket.inet_aton(gw))
            self.poll(0.3)
        if self.gw_mac is None:
            raise OSError("no ARP reply from %s" % gw)

    def poll(self, seconds):
        """Reads frames for up to SECONDS; returns the TCP segments to SRC as tuples."""
        out = []
        end = time.monotonic() + seconds
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return out
            self.sock.settimeout(left)
            try:
                f = self.sock.recv(70000)
            except socket.timeout:
                return out
            self.sock.settimeout(0)
            while f is not None:
                self.frame(f, out)
                try:
                    f = self.sock.recv(70000)
                except (BlockingIOError, socket.timeout):
                    f = None
                if len(out) > 4096:
                    return out

    def frame(self, f, out):
        etype = f[12:14]
        if etype == b"\x08\x06" and len(f) >= 42:
            op = self.struct.unpack("!H", f[20:22])[0]
            if op == 2 and f[38:42] == self.src:
                self.gw_mac = f[22:28]
            elif op == 1 and f[38:42] == self.src:
                self.arp(2, f[22:28], f[22:28], f[28:32])
            return
        if etype != b"\x08\x00" or f[23] != 6 or f[30:34] != self.src:
            return
        ihl = (f[14] & 15) * 4
        total = self.struct.unpack("!H", f[16:18])[0]
        t = 14 + ihl
        sport, dport, seq, ack, off, flags, win = self.struct.unpack("!HHIIBBH", f[t:t + 16])
        hl = (off >> 4) * 4
        out.append((f[26:30], sport, dport, seq, ack, flags, win, f[t + hl:14 + total], f[t + 20:t + hl]))

    def send(self, dst, sport, dport, seq, ack, flags, win, options=b"", payload=b""):
        st = self.struct
        hl = 20 + len(options)
        tcp = st.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, (hl // 4) << 4, flags, win, 0, 0) \
            + options + payload
        pseudo = self.src + dst + st.pack("!BBH", 0, 6, len(tcp))
        tcp = tcp[:16] + st.pack("!H", inet_checksum(pseudo + tcp)) + tcp[18:]
        ip = st.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0, self.src, dst)
        ip = ip[:10] + st.pack("!H", inet_checksum(ip)) + ip[12:]
        self.sock.send(self.gw_mac + self.mac + b"\x08\x00" + ip + tcp)


SYN, RST, ACK, PSH, FIN = 0x02, 0x04, 0x10, 0x08, 0x01


def syn_options(mss, wscale):
    opts = bytes([2, 4]) + int(mss).to_bytes(2, "big")
    if wscale is not None:
        opts += bytes([1, 3, 3, int(wscale)])
    return opts + bytes([0] * ((4 - len(opts) % 4) % 4))


def raw_handshakes(link, dst, port, count, mss, wscale, window, seconds):
    """COUNT SYNs from ports 20000.. (resent each second until answered); returns {port: (isn, their_seq+1)}."""
    pending = {20000 + i: 7000 * i + 1 for i in range(count)}
    done = {}
    end = time.monotonic() + float(seconds)
    while pending and time.monotonic() < end:
        for i, (p, isn) in enumerate(list(pending.items())):
            link.send(dst, p, port, isn, 0, SYN, window, syn_options(mss, wscale))
            if i % 50 == 49:
                for seg in link.poll(0.01):
                    take_synack(seg, dst, port, pending, done)
        wait_end = time.monotonic() + 1
        while pending and time.monotonic() < wait_end:
            for seg in link.poll(0.2):
                take_synack(seg, dst, port, pending, done)
    return done


def take_synack(seg, dst, port, pending, done):
    src, sport, dport, seq, ack, flags, win, payload, opts = seg
    if src == dst and sport == port and dport in pending and flags & (SYN | ACK) == SYN | ACK \
            and ack == (pending[dport] + 1) & 0xFFFFFFFF:
        done[dport] = (pending.pop(dport) + 1, (seq + 1) & 0xFFFFFFFF)


def http_get(path):
    return ("GET %s HTTP/1.0\r\nHost: x\r\n\r\n" % path).encode()


def cmd_raw_hold(src, gw, host, port, count, path, hold_seconds, *during):
    """COUNT connections from SRC that announce a 1 GiB window (scale 14), ask for PATH, and never
    acknowledge a byte; while they are held, run the command DURING (e.g. curl) and report its exit
    status; then reset them all."""
    import subprocess
    link = RawLink(src)
    link.resolve_gateway(gw)
    dst, port = socket.inet_aton(host), int(port)
    conns = raw_handshakes(link, dst, port, int(count), 1460, 14, 65535, 60)
    req = http_get(path)
    for p, (snd, rcv) in conns.items():
        link.send(dst, p, port, snd, rcv, ACK | PSH, 65535, payload=req)
    print("established=%d" % len(conns), flush=True)
    t0 = time.monotonic()
    link.poll(2)
    rc = "-"
    if during:
        child = subprocess.Popen(list(during))
        while child.poll() is None:
            link.poll(0.2)  # answers ARP, keeps the socket drained
        rc = child.returncode
    while time.monotonic() - t0 < float(hold_seconds):
        link.poll(0.2)
    resets = set()
    for seg in link.poll(0.5):
        if seg[5] & RST:
            resets.add(seg[2])
    for p, (snd, rcv) in conns.items():
        link.send(dst, p, port, snd + len(req), 0, RST, 0)
    print("during_exit=%s" % rc)
    print("reset_by_peer_lately=%d" % len(resets))
    return 0


def cmd_raw_mss(src, gw, host, port, mss, path, want_bytes):
    """One connection from SRC announcing MSS; asks for PATH and acknowledges in-order data until
    WANT_BYTES arrived (or 30 s); reports the segment sizes it was sent."""
    link = RawLink(src)
    link.resolve_gateway(gw)
    dst, port = socket.inet_aton(host), int(port)
    conns = raw_handshakes(link, dst, port, 1, int(mss), None, 65535, 20)
    if not conns:
        print("established=0")
        return 0
    (p, (snd, rcv)), = conns.items()
    req = http_get(path)
    link.send(dst, p, port, snd, rcv, ACK | PSH, 65535, payload=req)
    snd += len(req)
    got, sizes, end = 0, [], time.monotonic() + 30
    while got < int(want_bytes) and time.monotonic() < end:
        for seg in link.poll(0.2):
            s_src, sport, dport, seq, ack, flags, win, payload, opts = seg
            if dport != p or not payload:
                continue
            sizes.append(len(payload))
            if seq == rcv:
                rcv = (rcv + len(payload)) & 0xFFFFFFFF
                got += len(payload)
            link.send(dst, p, port, snd, rcv, ACK, 65535)
    link.send(dst, p, port, snd, 0, RST, 0)
    print("established=1")
    print("received=%d" % got)
    print("segments=%d" % len(sizes))
    print("min_payload=%d" % (min(sizes) if sizes else 0))
    print("max_payload=%d" % (max(sizes) if sizes else 0))
    return 0


COMMANDS = {
    "flood": cmd_flood,
    "connect": cmd_connect,
    "send-then-shut": cmd_send_then_shut,
    "read-then-send": cmd_read_then_send,
    "parallel": cmd_parallel,
    "hold": cmd_hold,
    "udp-echo": cmd_udp_echo,
    "udp-echo-size": cmd_udp_echo_size,
    "raw-hold": cmd_raw_hold,
    "raw-mss": cmd_raw_mss,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.stderr.write("usage: guest-client.py {%s} ARGS...\n" % ",".join(COMMANDS))
        sys.exit(2)
    sys.exit(COMMANDS[sys.argv[1]](*sys.argv[2:]))
