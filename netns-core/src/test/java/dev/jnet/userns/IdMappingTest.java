package dev.jnet.userns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.userns.IdMapping.Extent;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The maps of a new user namespace: the caller at 0, its subordinate ranges from 1, as rootlesskit writes them. */
class IdMappingTest {
    @Test
    void subordinateRangesFollowTheCallerFromOne() {
        IdMapping m = IdMapping.of(1001, 1002, "tester", List.of("other:200000:65536", "tester:300000:65536"),
                List.of("1001:400000:1000"));
        assertThat(m.uids()).containsExactly(new Extent(0, 1001, 1), new Extent(1, 300000, 65536));
        assertThat(m.gids()).containsExactly(new Extent(0, 1002, 1), new Extent(1, 400000, 1000));
        assertThat(m.subordinate()).isTrue();
        assertThat(m.uids().get(1).toString()).isEqualTo("1 300000 65536");
    }

    @Test
    void severalRangesAreConsecutiveInside() {
        IdMapping m = IdMapping.of(1001, 1001, "tester", List.of("tester:300000:10", "tester:500000:5"),
                List.of("tester:300000:10"));
        assertThat(m.uids()).containsExactly(new Extent(0, 1001, 1), new Extent(1, 300000, 10), new Extent(11, 500000, 5));
    }

    @Test
    void withoutBothRangesOnlyTheCallerIsMapped() {
        IdMapping none = IdMapping.of(1001, 1001, "tester", List.of(), List.of());
        assertThat(none).isEqualTo(IdMapping.single(1001, 1001));
        assertThat(none.subordinate()).isFalse();
        assertThat(IdMapping.of(1001, 1001, "tester", List.of("tester:300000:65536"), List.of()))
                .isEqualTo(IdMapping.single(1001, 1001));
    }

    @Test
    void malformedLinesGrantNothing() {
        IdMapping m = IdMapping.of(1001, 1001, "tester",
                List.of("tester:x:10", "tester:300000", "tester:300000:0", "tester:-5:10", "tester:4294967290:100", ""),
                List.of("tester:300000:10"));
        assertThat(m).isEqualTo(IdMapping.single(1001, 1001));
    }
}
