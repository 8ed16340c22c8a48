package dev.jnet.netns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.function.Consumer;

/**
 * Reports namespaces appearing in and leaving a directory, on a daemon thread, as
 * {@code ip netns monitor} does with inotify (Java's WatchService is inotify on Linux).
 */
public final class NetnsMonitor implements AutoCloseable {
    private final WatchService watcher;
    private final Thread thread;

    NetnsMonitor(Path dir, Consumer<NetnsEvent> listener) {
        try {
            watcher = dir.getFileSystem().newWatchService();
            dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE);
        } catch (IOException e) {
            throw new UncheckedIOException("watching " + dir, e);
        }
        thread = new Thread(() -> run(listener), "jnet-netns-monitor");
        thread.setDaemon(true);
        thread.start();
    }

    private void run(Consumer<NetnsEvent> listener) {
        try {
            while (true) {
                WatchKey key = watcher.take();
                for (WatchEvent<?> ev : key.pollEvents()) {
                    if (!(ev.context() instanceof Path p)) {
                        continue; // OVERFLOW: nothing to name
                    }
                    NetnsEvent.Type type = ev.kind() == StandardWatchEventKinds.ENTRY_CREATE
                            ? NetnsEvent.Type.ADD
                            : NetnsEvent.Type.DELETE;
                    listener.accept(new NetnsEvent(type, p.getFileName().toString()));
                }
                if (!key.reset()) {
                    return; // the directory went away
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed
        }
    }

    /** Blocks until the monitor stops (closed, or the directory removed). */
    public void await() throws InterruptedException {
        thread.join();
    }

    @Override
    public void close() {
        try {
            watcher.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
