package dev.jnet.cli.usernet;

import dev.jnet.cli.Json;

import dev.jnet.usernet.ProcessStats;
import dev.jnet.usernet.StackStats;
import java.lang.reflect.RecordComponent;

/**
 * The line {@code jnet usernet} writes to stderr on SIGUSR1 (as dnsmasq dumps its statistics):
 * {@code jnet usernet: stats {"frames_received":12,...,"tcp_connections":0,...,"fd_limit":1024}}, every
 * {@link StackStats} and {@link ProcessStats} component in snake case, JSON on one line so a test or operator can
 * {@code grep} the last one and parse it.
 */
final class StatsLine {
    static final String PREFIX = "jnet usernet: stats ";

    private StatsLine() {}

    /** {@code jnet usernet: faults {"to_stack":{"passed":..,"dropped":..},"to_guest":{..}}}: what the injector did. */
    static String faults(dev.jnet.usernet.link.FaultInjector injector) {
        return "jnet usernet: faults " + new Json.Obj().putRaw("to_stack", object(injector.toStackCounters()))
                .putRaw("to_guest", object(injector.toGuestCounters()));
    }

    /** The stack's figures, then the process's ({@code direct_memory}, {@code fds_open}, {@code fd_limit}). */
    static String of(StackStats stats, ProcessStats process) {
        return PREFIX + object(stats, process);
    }

    private static String object(Record... records) {
        Json.Obj o = new Json.Obj();
        for (Record r : records) {
            put(o, r);
        }
        return o.toString();
    }

    private static void put(Json.Obj o, Record r) {
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            Number value; // the components are counters
            try {
                value = (Number) c.getAccessor().invoke(r);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("reading " + c.getName() + " of " + r.getClass(), e);
            }
            o.put(snakeCase(c.getName()), value.longValue());
        }
    }

    static String snakeCase(String camel) {
        StringBuilder b = new StringBuilder(camel.length() + 4);
        for (char c : camel.toCharArray()) {
            if (Character.isUpperCase(c)) {
                b.append('_').append(Character.toLowerCase(c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
