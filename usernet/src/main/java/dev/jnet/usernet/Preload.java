package dev.jnet.usernet;

import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Loads, once and before the guest can use up our file descriptors, everything a warning needs
 * on its way out: Netty's logger (java.util.logging here), the logging configuration, the
 * handlers' formatters, and the time-zone rules a log line's timestamp is formatted with (the
 * JDK reads them from a file on first use). Issue 14: the first warning Netty logged with every
 * fd taken failed to open that file, and the Error ended the event loop's thread.
 */
final class Preload {
    private static volatile boolean done;

    private Preload() {}

    static void loggingAndTimeZone() {
        if (done) {
            return;
        }
        ZoneId zone = ZoneId.systemDefault();
        zone.getRules().getOffset(java.time.Instant.now());
        ZonedDateTime.now(zone).toString();
        LogManager.getLogManager();
        InternalLogger netty = InternalLoggerFactory.getInstance("io.netty");
        netty.isWarnEnabled();
        Logger root = Logger.getLogger("");
        LogRecord record = new LogRecord(Level.WARNING, "preload {0}");
        record.setParameters(new Object[] {"x"});
        record.setThrown(new IllegalStateException("preload", new RuntimeException("cause")));
        record.setLoggerName("io.netty.preload");
        for (Handler h : root.getHandlers()) {
            if (h.getFormatter() != null) {
                h.getFormatter().format(record); // formatted, not published: nothing is printed
            }
        }
        new java.util.logging.SimpleFormatter().format(record);
        record.getThrown().printStackTrace(new java.io.PrintWriter(new java.io.StringWriter()));
        done = true;
    }

    /**
     * Opens every jar of the class path (listing a resource each holds opens them all), so that
     * classes loaded later come from files already open: after {@code --enable-sandbox} switches a
     * root process to an unprivileged uid, it may no longer be allowed to open them by path.
     */
    static void classPathJars() {
        try {
            java.util.Enumeration<java.net.URL> all =
                    ClassLoader.getSystemClassLoader().getResources("META-INF/MANIFEST.MF");
            while (all.hasMoreElements()) {
                all.nextElement();
            }
        } catch (java.io.IOException e) {
            // a jar that cannot be read now will not be readable later either: nothing lost here
        }
    }
}
