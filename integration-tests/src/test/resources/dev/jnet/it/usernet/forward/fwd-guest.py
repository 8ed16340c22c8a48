#!/usr/bin/python3
"""Guest-side servers for the port forwarding tests (run inside the guest, backgrounded).

tcp-echo PORT: every connection first gets "peer ADDR PORT\n" (the source the guest sees),
then everything it sends back, and EOF after its EOF.
udp-echo PORT: "whoami" is answered with "peer ADDR PORT"; any other datagram is echoed.
tcp6-echo PORT, udp6-echo PORT: the same on [::]:PORT, dual-stack (IPv4 peers show as ::ffff:A.B.C.D).
Both end by themselves after LIFETIME seconds.
"""
import socket
import sys
import threading

LIFETIME = 85


def tcp_echo(port, family=socket.AF_INET):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::" if family == socket.AF_INET6 else "0.0.0.0", port))
    s.listen(16)
    while True:
        c, peer = s.accept()
        threading.Thread(target=serve, args=(c, peer), daemon=True).start()


def serve(c, peer):
    try:
        c.sendall(("peer %s %d\n" % (peer[0], peer[1])).encode())
        while True:
            d = c.recv(262144)
            if not d:
                break
            c.sendall(d)
        c.shutdown(socket.SHUT_WR)
    finally:
        c.close()


def udp_echo(port, family=socket.AF_INET):
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    if family == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::" if family == socket.AF_INET6 else "0.0.0.0", port))
    while True:
        d, peer = s.recvfrom(65535)
        if d == b"whoami":
            s.sendto(("peer %s %d" % (peer[0], peer[1])).encode(), peer)
        else:
            s.sendto(d, peer)


if __name__ == "__main__":
    threading.Timer(LIFETIME, lambda: __import__("os")._exit(0)).start()
    {"tcp-echo": tcp_echo, "udp-echo": udp_echo,
     "tcp6-echo": lambda p: tcp_echo(p, socket.AF_INET6),
     "udp6-echo": lambda p: udp_echo(p, socket.AF_INET6)}[sys.argv[1]](int(sys.argv[2]))
