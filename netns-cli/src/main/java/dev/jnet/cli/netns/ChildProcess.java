package dev.jnet.cli.netns;

import java.io.IOException;
import java.util.List;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/** Runs a command in the foreground as if jnet had exec'd it. */
final class ChildProcess {
    private ChildProcess() {}

    /**
     * Starts {@code command} with our stdio and returns its exit status (128+N when killed by
     * signal N). While it runs, SIGINT is left to it, as a shell does for a foreground job:
     * the terminal sends it to both of us, and the command decides whether to end.
     */
    static int runInForeground(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).inheritIO().start();
        SignalHandler oldInt = Signal.handle(new Signal("INT"), SignalHandler.SIG_IGN);
        try {
            return p.waitFor();
        } finally {
            Signal.handle(new Signal("INT"), oldInt);
        }
    }
}
