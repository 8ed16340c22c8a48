package dev.jnet.junit;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.PrintStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Code in a child JVM inside a namespace, for where no thread of this JVM can enter (rootless).
 * The parent writes the serialized task to the child's stdin and reads a serialized
 * {@link Outcome} from its stdout; the task's own printing goes to stderr, so it cannot mix in.
 */
public final class ChildJvm {
    private ChildJvm() {}

    record Outcome(Serializable value, Throwable failure) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    static <T extends Serializable> T call(Netns ns, Netns.SerializableCallable<T> task) throws Exception {
        List<String> java = new ArrayList<>();
        java.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // a short-lived JVM: fast start beats peak speed
        java.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), ChildJvm.class.getName()));
        Process p = ns.start(new ProcessBuilder().redirectError(ProcessBuilder.Redirect.INHERIT),
                java.toArray(String[]::new));
        try {
            try (ObjectOutputStream out = new ObjectOutputStream(p.getOutputStream())) {
                out.writeObject(task);
            }
            Object o;
            try (ObjectInputStream in = new ObjectInputStream(p.getInputStream())) {
                o = in.readObject();
            } catch (IOException e) {
                p.waitFor();
                throw new TopologyException("the child JVM in namespace " + ns.name() + " ended with status "
                        + p.exitValue() + " before answering", e);
            }
            p.waitFor();
            Outcome outcome = (Outcome) o;
            if (outcome.failure() != null) {
                if (outcome.failure() instanceof Exception e) {
                    throw e;
                }
                throw (Error) outcome.failure();
            }
            @SuppressWarnings("unchecked")
            T value = (T) outcome.value();
            return value;
        } finally {
            p.destroyForcibly();
        }
    }

    /** The child's entry point: one task from stdin, its outcome to stdout. */
    public static void main(String[] args) throws Exception {
        PrintStream realOut = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        Outcome outcome;
        try (ObjectInputStream in = new ObjectInputStream(System.in)) {
            Callable<?> task = (Callable<?>) in.readObject();
            outcome = new Outcome((Serializable) task.call(), null);
        } catch (Throwable t) {
            outcome = new Outcome(null, t);
        }
        try (ObjectOutputStream out = new ObjectOutputStream(realOut)) {
            out.writeObject(outcome);
        }
        System.exit(0);
    }
}
