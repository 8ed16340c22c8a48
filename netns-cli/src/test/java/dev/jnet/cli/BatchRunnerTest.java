package dev.jnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code -batch} lines split into words as iproute2's makeargs splits them. */
class BatchRunnerTest {
    @Test
    void batchLinesSplitAsIproute2() {
        assertThat(BatchRunner.makeargs("  link add  v0 type veth # comment")).containsExactly("link", "add", "v0",
                "type", "veth");
        assertThat(BatchRunner.makeargs("# only a comment")).isEmpty();
        assertThat(BatchRunner.makeargs("")).isEmpty();
        assertThat(BatchRunner.makeargs("netns exec x sh -c 'echo a b'")).containsExactly("netns", "exec", "x", "sh",
                "-c", "echo a b");
    }
}
