package dev.jnet.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HolderRecordTest {
    @Test
    void roundTrips(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("r"), HolderRecord.format(new HolderProcess(1234, 98765)));
        assertThat(HolderRecord.read(f)).contains(new HolderProcess(1234, 98765));
    }

    @Test
    void emptyOrForeignFilesAreNotRecords(@TempDir Path dir) throws Exception {
        assertThat(HolderRecord.read(Files.writeString(dir.resolve("empty"), ""))).isEmpty();
        assertThat(HolderRecord.read(Files.writeString(dir.resolve("other"), "pid=1\nstarttime=2\n"))).isEmpty();
        assertThat(HolderRecord.read(Files.writeString(dir.resolve("bad"),
                "format=jnet-netns-holder-1\npid=x\nstarttime=2\n"))).isEmpty();
    }

    @Test
    void missingRecordIsReportedAsSuch(@TempDir Path dir) {
        assertThatThrownBy(() -> HolderRecord.read(dir.resolve("none"))).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void ownProcessIsInspectableAndAlive() {
        long pid = ProcessHandle.current().pid();
        HolderProcess me = HolderProcess.inspect(pid).orElseThrow();
        assertThat(me.pid()).isEqualTo(pid);
        assertThat(me.startTime()).isPositive();
        assertThat(me.alive()).isTrue();
        assertThat(new HolderProcess(pid, me.startTime() + 1).alive()).as("same pid, other start: recycled").isFalse();
    }

    @Test
    void exitedProcessIsNotAlive() throws Exception {
        Process p = new ProcessBuilder("true").start();
        long pid = p.pid();
        p.waitFor();
        assertThat(HolderProcess.inspect(pid)).isEmpty();
    }
}
