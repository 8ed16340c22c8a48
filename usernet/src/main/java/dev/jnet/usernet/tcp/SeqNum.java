package dev.jnet.usernet.tcp;

/** Comparison of 32-bit sequence numbers modulo 2^32 (RFC 9293 section 3.4). */
final class SeqNum {
    private SeqNum() {
    }

    static boolean lt(int a, int b) {
        return a - b < 0;
    }

    static boolean le(int a, int b) {
        return a - b <= 0;
    }

    static boolean gt(int a, int b) {
        return a - b > 0;
    }

    static boolean ge(int a, int b) {
        return a - b >= 0;
    }

    static int max(int a, int b) {
        return gt(a, b) ? a : b;
    }
}
