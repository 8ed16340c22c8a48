package example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jnet.junit.ImpairedLink;
import dev.jnet.junit.JnetTopologyExtension;
import dev.jnet.junit.Netns;
import dev.jnet.junit.Topology;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Two nodes elect a leader; a partition makes the follower take over; healing leaves one leader. */
@ExtendWith(JnetTopologyExtension.class)
class LeaderElectionTest {
    private static BufferedReader node(Netns ns, String... args) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String[] cmd = new String[4 + args.length];
        cmd[0] = java;
        cmd[1] = "-cp";
        cmd[2] = System.getProperty("java.class.path");
        cmd[3] = Node.class.getName();
        System.arraycopy(args, 0, cmd, 4, args.length);
        Process p = ns.start(new ProcessBuilder().redirectError(ProcessBuilder.Redirect.INHERIT), cmd);
        return new BufferedReader(new InputStreamReader(p.getInputStream()));
    }

    @Test
    void aPartitionElectsASecondLeaderAndHealingLeavesOne(Topology t) throws Exception {
        Netns a = t.namespace("node1");
        Netns b = t.namespace("node2");
        ImpairedLink link = t.impairedLink(a, "eth0", b, "eth0");
        a.address("eth0", "fd00:1::1/64"); // IPv6 and UDP: what a TCP proxy cannot impair
        b.address("eth0", "fd00:1::2/64");
        BufferedReader one = node(a, "1", "fd00:1::1", "fd00:1::2", "true");
        BufferedReader two = node(b, "2", "fd00:1::2", "fd00:1::1", "false");
        assertEquals("LEADER 1", one.readLine());
        assertEquals("FOLLOWER 1", two.readLine()); // node2 heard node1's heartbeat

        link.partition(true); // node2 hears nothing: it takes over in term 2
        assertEquals("LEADER 2", two.readLine());

        link.partition(false); // node1 hears a leader of a higher term and steps down
        assertEquals("FOLLOWER 2", one.readLine());
    }
}
