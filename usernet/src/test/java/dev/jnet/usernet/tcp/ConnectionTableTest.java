package dev.jnet.usernet.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The open-addressing table against a HashMap model under random insert/remove churn. */
class ConnectionTableTest {
    @Test
    void agreesWithAHashMapUnderChurn() {
        TcpHarness h = new TcpHarness(TcpLimits.defaults());
        ConnectionTable table = new ConnectionTable(64);
        Map<Long, TcpConnection> model = new HashMap<>();
        List<TcpConnection> live = new ArrayList<>();
        Random r = new Random(5);
        for (int step = 0; step < 20_000; step++) {
            if (live.size() < 64 && (live.isEmpty() || r.nextBoolean())) {
                // few distinct ports and addresses: many hash collisions and long probe chains
                int port = 1 + r.nextInt(200);
                int remote = 0xCB007100 + r.nextInt(4);
                long key = ((long) port << 32) | (remote & 0xffffffffL);
                if (model.containsKey(key)) {
                    continue;
                }
                TcpConnection c = new TcpConnection(h.stack.context(), false, 0, TcpHarness.GUEST & 0xFFFF_FFFFL, port, 0,
                        remote & 0xFFFF_FFFFL, 80, 2, false);
                table.put(c);
                model.put(key, c);
                live.add(c);
            } else {
                TcpConnection c = live.remove(r.nextInt(live.size()));
                table.remove(c);
                model.remove(((long) c.guestPort << 32) | (c.remoteAddr & 0xffffffffL));
            }
            assertEquals(model.size(), table.size());
            if (step % 97 == 0) {
                for (int port = 1; port <= 200; port++) {
                    for (int i = 0; i < 4; i++) {
                        int remote = 0xCB007100 + i;
                        assertSame(model.get(((long) port << 32) | (remote & 0xffffffffL)),
                                table.get(TcpHarness.GUEST, port, remote, 80));
                    }
                }
            }
        }
    }
}
