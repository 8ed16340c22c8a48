package dev.jnet.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.HostNetns.NsId;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/** Rootful jnet and iproute2 share /run/netns both ways: each sees, enters and deletes the other's. */
@RequiresRoot
@JnetIntegrationTest
class InteropTest {

    @Test
    void namespaceAddedByJnetIsANewNamespaceThatIproute2Uses(JnetCli jnet, HostNetns host) {
        String a = host.name("a");
        Proc.Result add = jnet.run("netns", "add", a);
        assertThat(add.exit()).as(add.describe()).isZero();
        assertThat(add.stdout()).as(add.describe()).isEmpty();
        assertThat(add.stderr()).as(add.describe()).isEmpty();

        // kernel state: an nsfs file bind-mounted once on /run/netns/a, and not the host's namespace
        NsId ns = NsId.of(HostNetns.path(a));
        NsId self = HostNetns.hostNetns();
        assertThat(ns.dev()).as("/run/netns/%s is on nsfs", a).isEqualTo(self.dev());
        assertThat(ns.ino()).as("inode of /run/netns/%s vs /proc/self/ns/net", a).isNotEqualTo(self.ino());
        assertThat(HostNetns.mountCount(a)).as("mounts on /run/netns/%s", a).isEqualTo(1);

        Proc.Result links = Proc.run("ip", "netns", "exec", a, "ip", "-o", "link");
        assertThat(links.exit()).as(links.describe()).isZero();
        assertThat(Outputs.linkNames(links)).as(links.describe()).containsExactly("lo");

        Proc.Result inode = Proc.run("ip", "netns", "exec", a, "stat", "-L", "-c", "%i", "/proc/self/ns/net");
        assertThat(inode.exit()).as(inode.describe()).isZero();
        assertThat(inode.stdout().strip()).as("ip netns exec enters the namespace jnet made")
                .isEqualTo(Long.toString(ns.ino()));

        Proc.Result ipList = Proc.run("ip", "netns", "list");
        assertThat(ipList.exit()).as(ipList.describe()).isZero();
        assertThat(Outputs.listedNames(ipList)).as(ipList.describe()).contains(a);

        Proc.Result del = Proc.run("ip", "netns", "del", a);
        assertThat(del.exit()).as(del.describe()).isZero();
        assertThat(HostNetns.path(a)).doesNotExist();
        assertThat(HostNetns.mountCount(a)).isZero();
        Proc.Result list = jnet.run("netns", "list");
        assertThat(list.exit()).as(list.describe()).isZero();
        assertThat(Outputs.listedNames(list)).as(list.describe()).doesNotContain(a);
    }

    @Test
    void namespaceAddedByIproute2IsListedEnteredAndDeletedByJnet(JnetCli jnet, HostNetns host) {
        String b = host.name("b");
        Proc.Result add = Proc.run("ip", "netns", "add", b);
        assertThat(add.exit()).as(add.describe()).isZero();
        NsId ns = NsId.of(HostNetns.path(b));

        Proc.Result list = jnet.run("netns", "list");
        assertThat(list.exit()).as(list.describe()).isZero();
        assertThat(list.stdoutLines()).as(list.describe()).contains(b);

        Proc.Result inside = jnet.run("netns", "exec", b, "sh", "-c", "ip -o link; stat -L -c %i /proc/self/ns/net");
        assertThat(inside.exit()).as(inside.describe()).isZero();
        assertThat(inside.stdoutLines()).as(inside.describe()).hasSize(2);
        assertThat(Outputs.linkNames(inside)).as(inside.describe()).containsExactly("lo");
        assertThat(inside.stdoutLines().get(1)).as("jnet netns exec enters the namespace ip made")
                .isEqualTo(Long.toString(ns.ino()));

        Proc.Result del = jnet.run("netns", "del", b);
        assertThat(del.exit()).as(del.describe()).isZero();
        assertThat(del.stdout() + del.stderr()).as(del.describe()).isEmpty();
        assertThat(HostNetns.path(b)).doesNotExist();
        assertThat(HostNetns.mountCount(b)).isZero();
        Proc.Result ipList = Proc.run("ip", "netns", "list");
        assertThat(ipList.exit()).as(ipList.describe()).isZero();
        assertThat(Outputs.listedNames(ipList)).as(ipList.describe()).doesNotContain(b);
    }

    @Test
    void nsidsSetByEitherToolShowInBothListingsAndInJson(JnetCli jnet, HostNetns host) {
        String a = host.name("a");
        String b = host.name("b");
        assertThat(jnet.run("netns", "add", a).exit()).isZero();
        assertThat(Proc.run("ip", "netns", "add", b).exit()).isZero();

        Proc.Result before = jnet.run("netns", "list");
        assertThat(before.stdoutLines()).as(before.describe()).contains(a, b);

        int[] ids = freeNsids(2);
        Proc.Result set = Proc.run("ip", "netns", "set", a, Integer.toString(ids[0]));
        assertThat(set.exit()).as(set.describe()).isZero();
        Proc.Result jset = jnet.run("netns", "set", b, Integer.toString(ids[1]));
        assertThat(jset.exit()).as(jset.describe()).isZero();
        assertThat(jset.stdout() + jset.stderr()).as(jset.describe()).isEmpty();

        String lineA = a + " (id: " + ids[0] + ")";
        String lineB = b + " (id: " + ids[1] + ")";
        Proc.Result list = jnet.run("netns", "list");
        assertThat(list.exit()).as(list.describe()).isZero();
        assertThat(list.stdoutLines()).as(list.describe()).contains(lineA, lineB);
        Proc.Result ipList = Proc.run("ip", "netns", "list");
        assertThat(ipList.stdoutLines()).as(ipList.describe()).contains(lineA, lineB);

        String jsonA = Outputs.jsonEntry(a, ids[0]);
        String jsonB = Outputs.jsonEntry(b, ids[1]);
        for (String[] args : new String[][] {{"-j", "netns", "list"}, {"netns", "list", "-j"}, {"netns", "-j", "list"}}) {
            Proc.Result json = jnet.run(args);
            assertThat(json.exit()).as(json.describe()).isZero();
            assertThat(json.stdoutLines()).as(json.describe()).hasSize(1);
            assertThat(json.stdout().strip()).as(json.describe())
                    .startsWith("[").endsWith("]").contains(jsonA, jsonB);
        }
        Proc.Result ipJson = Proc.run("ip", "-j", "netns", "list");
        assertThat(ipJson.stdout()).as("iproute2 writes the same objects: " + ipJson.describe()).contains(jsonA, jsonB);
    }

    /** nsids no namespace has yet, as seen from the host ({@code ip netns list-id}). */
    private static int[] freeNsids(int n) {
        Proc.Result r = Proc.run("ip", "netns", "list-id");
        assertThat(r.exit()).as(r.describe()).isZero();
        Set<Integer> used = new HashSet<>();
        for (String l : r.stdoutLines()) {
            String[] f = l.strip().split("\\s+");
            if (f.length >= 2 && f[0].equals("nsid")) {
                used.add(Integer.parseInt(f[1]));
            }
        }
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            int id;
            do {
                id = ThreadLocalRandom.current().nextInt(20_000, 60_000);
            } while (used.contains(id));
            used.add(id);
            ids[i] = id;
        }
        return ids;
    }
}
