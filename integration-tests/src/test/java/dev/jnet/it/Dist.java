package dev.jnet.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The jnet CLI as built (jars of netns-cli/target plus native/target/jnet-helper), copied to a
 * fresh world-readable directory under /tmp: the unprivileged test user cannot read anything
 * under /root, and root runs the very same copy. Built once per test JVM, removed at its end.
 */
public final class Dist implements AutoCloseable {
    private static Dist instance;

    private final Path dir;
    private final Path helper;
    private final Path java;

    private Dist(Path dir, Path helper, Path java) {
        this.dir = dir;
        this.helper = helper;
        this.java = java;
    }

    /** The staged copy, staging it on first use. */
    public static synchronized Dist get() {
        if (instance == null) {
            instance = stage();
            Dist d = instance;
            Runtime.getRuntime().addShutdownHook(new Thread(d::close, "jit-dist-cleanup"));
        }
        return instance;
    }

    private static Dist stage() {
        Path lib = Path.of(property("jnet.dist.lib"));
        Path jar = Path.of(property("jnet.dist.jar"));
        Path helper = Path.of(property("jnet.helper"));
        for (Path p : List.of(lib, jar, helper)) {
            if (!Files.exists(p)) {
                throw new IllegalStateException(p + " does not exist: build the modules first "
                        + "(mvn -DskipTests install -pl native,netns-core,usernet,netns-cli)");
            }
        }
        try {
            Path dir = Files.createTempDirectory("jit-dist-");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            List<Path> jars = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(lib, "*.jar")) {
                ds.forEach(jars::add);
            }
            jars.add(jar);
            for (Path j : jars) {
                Path copy = dir.resolve(j.getFileName());
                Files.copy(j, copy);
                Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
            }
            Path stagedHelper = dir.resolve("jnet-helper");
            Files.copy(helper, stagedHelper);
            Files.setPosixFilePermissions(stagedHelper, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path frontEnd = helper.resolveSibling(FRONT_END);
            if (Files.exists(frontEnd)) {
                Path staged = dir.resolve(FRONT_END);
                Files.copy(frontEnd, staged);
                Files.setPosixFilePermissions(staged, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            Path java = Path.of(ProcessHandle.current().info().command()
                    .orElseThrow(() -> new IllegalStateException("cannot tell which java runs the tests")));
            return new Dist(dir, stagedHelper, java);
        } catch (IOException e) {
            throw new UncheckedIOException("staging the jnet CLI", e);
        }
    }

    private static String property(String name) {
        String v = System.getProperty(name);
        if (v == null || v.isEmpty()) {
            throw new IllegalStateException("system property " + name + " is not set (integration-tests/pom.xml sets it)");
        }
        return v;
    }

    public Path dir() {
        return dir;
    }

    public Path helper() {
        return helper;
    }

    /** bin/slirp4netns's C front end to {@code jnet usernetd} (native/target/jnet-slirp4netns), staged beside the jars. */
    public Path frontEnd() {
        return dir.resolve(FRONT_END);
    }

    private static final String FRONT_END = "jnet-slirp4netns";

    /**
     * What ./jnet puts in front of java for {@code jnet usernet}: the front end's stage that opens
     * the tap before the JVM starts ({@code --jnet-usernet-stage}); empty when it was not built.
     */
    public List<String> usernetStage() {
        return Files.isExecutable(frontEnd()) ? List.of(frontEnd().toString(), "--jnet-usernet-stage") : List.of();
    }

    /** The java binary running the tests (world-readable, unlike ~/.m2). */
    public Path java() {
        return java;
    }

    /** {@code java ... dev.jnet.cli.Main} (without the arguments), with the start-up options ./jnet uses. */
    public List<String> javaCommand(List<String> extraJvmOptions) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:-UsePerfData");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Xshare:auto");
        cmd.addAll(extraJvmOptions);
        cmd.add("-Djnet.helper=" + helper);
        cmd.add("-cp");
        cmd.add(dir + "/*");
        cmd.add("dev.jnet.cli.Main");
        return cmd;
    }

    @Override
    public synchronized void close() {
        deleteTree(dir);
    }

    public static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("removing " + root, e);
        }
    }
}
