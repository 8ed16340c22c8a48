package dev.jnet.usernet.nat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnet.usernet.ManualScheduler;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlowTableTest {
    final ManualScheduler scheduler = new ManualScheduler();
    final List<String> closed = new ArrayList<>();
    final FlowTable<String> table = new FlowTable<>(scheduler, 3, 100, closed::add);

    @Test
    void keysAreFull64BitValues() {
        table.put(0x8000_0000_0000_0001L, "a");
        table.put(1L, "b");
        assertThat(table.get(0x8000_0000_0000_0001L)).isEqualTo("a");
        assertThat(table.get(1L)).isEqualTo("b");
        assertThat(table.get(2L)).isNull();
        assertThatThrownBy(() -> table.put(1L, "again")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void expiryFollowsLastUseWithOneTimer() {
        table.put(1, "a");
        scheduler.advance(50);
        table.put(2, "b");
        assertThat(scheduler.pendingTimers()).isEqualTo(1);
        scheduler.advance(40);
        table.touch(1); // used at 90: lives until 190
        scheduler.advance(60); // t=150: b (used at 50) is gone
        assertThat(closed).containsExactly("b");
        scheduler.advance(39);
        assertThat(table.size()).isEqualTo(1);
        scheduler.advance(1);
        assertThat(closed).containsExactly("b", "a");
        assertThat(table.expirations()).isEqualTo(2);
        assertThat(scheduler.pendingTimers()).isZero();
    }

    @Test
    void fullTableEvictsLeastRecentlyUsedAndRemoveAndClearClose() {
        table.put(1, "a");
        table.put(2, "b");
        table.put(3, "c");
        table.get(1);
        table.put(4, "d");
        assertThat(closed).containsExactly("b");
        assertThat(table.evictions()).isEqualTo(1);
        table.remove(3);
        table.remove(3);
        assertThat(closed).containsExactly("b", "c");
        table.clear();
        assertThat(closed).containsExactlyInAnyOrder("b", "c", "a", "d");
        assertThat(table.size()).isZero();
        assertThat(scheduler.pendingTimers()).isZero();
    }
}
