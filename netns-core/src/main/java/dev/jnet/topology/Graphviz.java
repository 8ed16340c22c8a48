package dev.jnet.topology;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Graphviz's {@code dot}, found on PATH, turning DOT into SVG. */
public final class Graphviz {
    private static final long TIMEOUT_SECONDS = 60;

    private Graphviz() {}

    /** The {@code dot} program on PATH, or {@code null}. */
    public static Path dot() {
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "/usr/bin:/bin" : path).split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, "dot");
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /**
     * {@code dot -Tsvg} of {@code dotSource}.
     *
     * @throws TopologyException {@link TopologyException.Kind#GRAPHVIZ_MISSING} without dot on
     *         PATH, {@link TopologyException.Kind#GRAPHVIZ_FAILED} when it fails
     */
    public static String svg(String dotSource) {
        Path dot = dot();
        if (dot == null) {
            throw new TopologyException(TopologyException.Kind.GRAPHVIZ_MISSING,
                    "SVG needs Graphviz's dot, which is not on PATH (install the graphviz package, or use --format dot)",
                    null);
        }
        try {
            Process p = new ProcessBuilder(dot.toString(), "-Tsvg").redirectErrorStream(false).start();
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
            try (OutputStream in = p.getOutputStream()) {
                in.write(dotSource.getBytes(StandardCharsets.UTF_8));
            }
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new TopologyException(TopologyException.Kind.GRAPHVIZ_FAILED,
                        "dot did not finish within " + TIMEOUT_SECONDS + " s", null);
            }
            if (p.exitValue() != 0) {
                String why = new String(err.join(), StandardCharsets.UTF_8).strip().lines().findFirst().orElse("");
                throw new TopologyException(TopologyException.Kind.GRAPHVIZ_FAILED,
                        "dot failed (exit " + p.exitValue() + "): " + why, null);
            }
            return new String(out.join(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new TopologyException(TopologyException.Kind.GRAPHVIZ_FAILED, "running dot: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopologyException(TopologyException.Kind.GRAPHVIZ_FAILED, "interrupted while running dot", e);
        }
    }

    private static byte[] readAll(InputStream in) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (in) {
            in.transferTo(b);
        } catch (IOException e) {
            // the process's exit status says what went wrong
        }
        return b.toByteArray();
    }
}
