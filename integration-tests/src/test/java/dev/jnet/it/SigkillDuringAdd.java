package dev.jnet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Starts {@code jnet netns add} again and again and SIGKILLs it part-way, homing in on the end
 * of add (where an entry is half made): later after a kill, earlier after a success.
 *
 * @param names every name an add was started for
 * @param killed how many adds the kill caught while running
 * @param finished how many completed before the kill
 * @param addMillis how long one whole add took here (where the kills start)
 */
record SigkillDuringAdd(List<String> names, int killed, int finished, long addMillis) {
    /** At most {@code tries} rounds within {@code budget}; every add not killed must have succeeded. */
    static SigkillDuringAdd run(JnetCli jnet, HostNetns host, int tries, Duration budget) throws InterruptedException {
        String probe = host.name("probe");
        long t0 = System.nanoTime();
        assertThat(jnet.run("netns", "add", probe).exit()).isZero();
        long addMillis = Math.max(50, (System.nanoTime() - t0) / 1_000_000);
        assertThat(jnet.run("netns", "del", probe).exit()).isZero();

        List<String> names = new ArrayList<>();
        double killAfter = addMillis;
        int killed = 0;
        int finished = 0;
        long deadline = System.nanoTime() + budget.toNanos();
        for (int i = 0; i < tries && System.nanoTime() < deadline; i++) {
            String name = host.name("kill" + i);
            names.add(name);
            // setpriv and env exec when run as the test user, so the pid is always the JVM's
            Proc.Running r = jnet.start("netns", "add", name);
            Thread.sleep((long) ThreadLocalRandom.current().nextDouble(killAfter * 0.6, killAfter * 1.05));
            r.kill9();
            Proc.Result res = r.await(Duration.ofSeconds(30));
            if (res.exit() == 128 + 9) {
                killed++;
                killAfter *= 1.1;
            } else {
                killAfter *= 0.8;
                assertThat(res.exit()).as("not killed, so it must have succeeded: " + res.describe()).isZero();
                finished++;
            }
        }
        assertThat(killed).as("adds killed while running (of %d; add takes ~%d ms)", names.size(), addMillis)
                .isPositive();
        return new SigkillDuringAdd(names, killed, finished, addMillis);
    }
}
