package dev.jnet.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnet.linux.SandboxRoot.Entry;
import dev.jnet.linux.SandboxRoot.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bind list of usernet's --enable-sandbox root, computed against a fake Debian-like tree. */
class SandboxRootTest {
    /** A merged-/usr Debian: /lib64 -> usr/lib64, the loader linked from there, resolv.conf into /run. */
    private static final class FakeFs implements SandboxRoot.Lookup {
        final Map<String, String> links = new HashMap<>();
        final java.util.Set<String> plain = new java.util.HashSet<>();

        FakeFs file(String... paths) {
            for (String p : paths) {
                for (String q = p; !q.isEmpty(); q = q.substring(0, Math.max(q.lastIndexOf('/'), 0))) {
                    plain.add(q);
                }
            }
            return this;
        }

        FakeFs link(String path, String target) {
            file(path.substring(0, Math.max(path.lastIndexOf('/'), 1)));
            links.put(path, target);
            return this;
        }

        @Override
        public boolean exists(String path) {
            return path.equals("/") || plain.contains(path) || links.containsKey(path);
        }

        @Override
        public String readLink(String path) {
            return links.get(path);
        }
    }

    private static FakeFs debian() {
        return new FakeFs()
                .file("/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", "/usr/lib/x86_64-linux-gnu/libc.so.6",
                        "/usr/lib/jvm/java-17-openjdk-amd64/bin/java", "/etc/passwd", "/run/systemd/resolve/stub-resolv.conf",
                        "/run/user/1000/podman/api.sock.dir", "/tmp/dist/jnet.jar", "/dev/null", "/proc/self")
                .link("/lib64", "usr/lib64")
                .link("/lib", "usr/lib")
                .link("/usr/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2")
                .link("/etc/resolv.conf", "../run/systemd/resolve/stub-resolv.conf")
                .link("/usr/lib/jvm/default-java", "java-17-openjdk-amd64");
    }

    @Test
    void theInterpretersPathKeepsItsSymlinksAndItsTargetIsBound() {
        SandboxRoot root = new SandboxRoot(debian());
        root.linksTo("/lib64/ld-linux-x86-64.so.2");
        assertThat(root.resolve("/lib64/ld-linux-x86-64.so.2")).isEqualTo("/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2");
        root.readOnlyDirOf("/usr/lib/x86_64-linux-gnu/libc.so.6");
        assertThat(root.entries()).containsExactly(
                new Entry(Kind.READ_ONLY, "/usr/lib/x86_64-linux-gnu", null),
                new Entry(Kind.SYMLINK, "/lib", "usr/lib"),
                new Entry(Kind.SYMLINK, "/lib64", "usr/lib64"),
                new Entry(Kind.SYMLINK, "/usr/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"));
    }

    @Test
    void resolvConfPointingIntoRunBindsItsRealDirectoryAndKeepsTheLinkInsideEtc() {
        SandboxRoot root = new SandboxRoot(debian()).readOnly("/etc").readOnlyDirOf("/etc/resolv.conf");
        // the link itself lies in the bound /etc: not made again
        assertThat(root.entries()).containsExactly(
                new Entry(Kind.READ_ONLY, "/etc", null),
                new Entry(Kind.READ_ONLY, "/run/systemd/resolve", null));
    }

    @Test
    void parentsComeFirstTheTmpfsBeforeWhatIsBoundInItAndNestedSameKindBindsAreDropped() {
        SandboxRoot root = new SandboxRoot(debian())
                .readOnlyDirOf("/tmp/dist/jnet.jar")
                .readOnly("/usr/lib/jvm/default-java")
                .readOnly("/usr/lib/jvm/java-17-openjdk-amd64/bin")
                .tmpfs("/tmp")
                .proc("/proc")
                .device("/dev/null")
                .readWriteDirOf("/run/user/1000/podman/api.sock");
        assertThat(root.entries()).containsExactly(
                new Entry(Kind.DEVICE, "/dev/null", null),
                new Entry(Kind.PROC, "/proc", null),
                new Entry(Kind.READ_WRITE, "/run/user/1000/podman", null),
                new Entry(Kind.TMPFS, "/tmp", null),
                new Entry(Kind.READ_ONLY, "/tmp/dist", null),
                new Entry(Kind.READ_ONLY, "/usr/lib/jvm/java-17-openjdk-amd64", null),
                // the name it was given by still leads there
                new Entry(Kind.SYMLINK, "/usr/lib/jvm/default-java", "java-17-openjdk-amd64"));
        assertThat(root.stageArguments()).containsSubsequence("--tmpfs", "/tmp", "--ro", "/tmp/dist");
    }

    @Test
    void aWritableDirectoryInsideAReadOnlyOneIsBoundAgainAndReadWriteWinsForTheSameDirectory() {
        SandboxRoot root = new SandboxRoot(debian()).readOnly("/run").readWriteDirOf("/run/user/1000/podman/x.sock")
                .readOnlyDirOf("/run/user/1000/podman/api.sock.dir").readWriteDirOf("/run/user/1000/podman/y");
        assertThat(root.entries()).containsExactly(
                new Entry(Kind.READ_ONLY, "/run", null),
                new Entry(Kind.READ_WRITE, "/run/user/1000/podman", null));
    }

    @Test
    void missingPathsAndSymlinkLoopsAreLeftOut() {
        FakeFs fs = debian().link("/loop", "/loop");
        SandboxRoot root = new SandboxRoot(fs).readOnly("/nonexistent").readOnly("/loop").device("/dev/net/tun");
        assertThat(root.entries()).containsExactly(new Entry(Kind.SYMLINK, "/loop", "/loop"));
    }

    @Test
    void relativePathsAreTakenFromTheWorkingDirectory() {
        String cwd = System.getProperty("user.dir");
        assertThat(SandboxRoot.normalize("a/./b//c")).isEqualTo(SandboxRoot.normalize(cwd) + "/a/b/c");
        assertThat(SandboxRoot.isWithin("/tmp/x", "/tmp")).isTrue();
        assertThat(SandboxRoot.isWithin("/tmpx", "/tmp")).isFalse();
    }

    @Test
    void theRealFileSystemsLinksAreFollowed(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path real = Files.createDirectories(dir.resolve("real/sub"));
        Files.createSymbolicLink(dir.resolve("alias"), Path.of("real"));
        SandboxRoot root = new SandboxRoot(SandboxRoot.Lookup.real()).readOnly(dir.resolve("alias/sub").toString());
        String realDir = dir.toRealPath().toString();
        assertThat(root.entries()).contains(new Entry(Kind.READ_ONLY, real.toRealPath().toString(), null),
                new Entry(Kind.SYMLINK, realDir + "/alias", "real"));
    }

    @Test
    void mappedFilesAreThePrivateMappingsOfExistingFiles() {
        List<String> maps = List.of(
                "7f0000000000-7f0000001000 r-xp 00000000 fe:01 123   /usr/lib/x86_64-linux-gnu/libc.so.6",
                "7f0000001000-7f0000002000 r--p 00001000 fe:01 123   /usr/lib/x86_64-linux-gnu/libc.so.6",
                "7f0000002000-7f0000003000 rw-s 00000000 fe:01 9     /tmp/hsperfdata_tester/4242",
                "7f0000003000-7f0000004000 r-xp 00000000 fe:01 77    /tmp/jna123.tmp (deleted)",
                "7f0000004000-7f0000005000 rw-p 00000000 00:00 0     [heap]",
                "7f0000005000-7f0000006000 r--p 00000000 00:05 4     /dev/zero",
                "7f0000006000-7f0000007000 r--p 00000000 fe:01 8     /opt/my jdk/lib/server/classes.jsa",
                "7f0000007000-7f0000008000 rw-p 00000000 00:00 0");
        assertThat(SandboxStage.mappedFiles(maps)).containsExactly("/usr/lib/x86_64-linux-gnu/libc.so.6",
                "/opt/my jdk/lib/server/classes.jsa");
    }

    @Test
    void theElfInterpreterOfThisJava() throws IOException {
        byte[] java = Files.readAllBytes(Path.of(ProcessHandle.current().info().command().orElseThrow()));
        assertThat(SandboxStage.interpreter(java)).startsWith("/").contains("ld-");
        assertThatThrownBy(() -> SandboxStage.interpreter(new byte[64])).isInstanceOf(IllegalArgumentException.class);
    }
}
