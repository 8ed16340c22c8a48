package example;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A two-node leader election, small enough to read: every 100 ms each node sends its term and
 * role to its peer over UDP. A follower that hears no leader for a second becomes leader of the
 * next term; a leader that hears a leader of a higher term (or the same term and a lower id)
 * steps down. Every change of role or term is one line on stdout: {@code LEADER 2} / {@code FOLLOWER 2}.
 *
 * <p>Arguments: own id, own address, peer address (port 5000 each), whether it starts as leader.
 */
public final class Node {
    public static void main(String[] args) throws Exception {
        int id = Integer.parseInt(args[0]);
        boolean leader = Boolean.parseBoolean(args[3]);
        long term = leader ? 1 : 0;
        InetSocketAddress peer = new InetSocketAddress(args[2], 5000);
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(args[1], 5000))) {
            s.setSoTimeout(100);
            if (leader) {
                announce(true, term);
            }
            long lastHeard = System.nanoTime();
            long lastSent = 0;
            byte[] buf = new byte[64];
            for (long rounds = 0; rounds < 3000; rounds++) { // bounded: five minutes at most
                if (System.nanoTime() - lastSent > 100_000_000L) {
                    byte[] msg = (term + " " + (leader ? "L" : "F") + " " + id).getBytes(StandardCharsets.US_ASCII);
                    s.send(new DatagramPacket(msg, msg.length, peer));
                    lastSent = System.nanoTime();
                }
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    s.receive(p);
                    String[] f = new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII).split(" ");
                    long theirTerm = Long.parseLong(f[0]);
                    boolean theyLead = f[1].equals("L");
                    int theirId = Integer.parseInt(f[2]);
                    if (theyLead) {
                        lastHeard = System.nanoTime();
                        if (leader && (theirTerm > term || (theirTerm == term && theirId < id))) {
                            leader = false;
                            term = theirTerm;
                            announce(false, term);
                        } else if (!leader && theirTerm > term) {
                            term = theirTerm;
                            announce(false, term);
                        }
                    }
                } catch (SocketTimeoutException e) {
                    // no message this round
                }
                if (!leader && System.nanoTime() - lastHeard > 1_000_000_000L) {
                    leader = true;
                    term++;
                    announce(true, term);
                }
            }
        }
    }

    private static void announce(boolean leader, long term) {
        System.out.println((leader ? "LEADER " : "FOLLOWER ") + term);
        System.out.flush();
    }
}
