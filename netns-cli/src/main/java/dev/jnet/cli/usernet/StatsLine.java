package dev.jnet.cli.usernet;

import dev.jnet.cli.Json;

import dev.jnet.usernet.StackStats;
import java.lang.reflect.RecordComponent;

/**
 * The line {@code jnet usernet} writes to stderr on SIGUSR1 (as dnsmasq dumps its statistics):
 * {@code jnet usernet: stats {"frames_received":12,...,"tcp_connections":0,...}}, every
 * {@link StackStats} component in snake case, JSON on one line so a test or operator can
 * {@code grep} the last one and parse it.
 */
final class StatsLine {
    static final String PREFIX = "jnet usernet: stats ";

    private StatsLine() {}

    /** {@code jnet usernet: faults {"to_stack":{"passed":..,"dropped":..},"to_guest":{..}}}: what the injector did. */
    static String faults(dev.jnet.usernet.link.FaultInjector injector) {
        return "jnet usernet: faults {\"to_stack\":" + object(injector.toStackCounters()) + ",\"to_guest\":"
                + object(injector.toGuestCounters()) + "}";
    }

    static String of(StackStats stats) {
        return PREFIX + object(stats);
    }

    private static String object(Record r) {
        StringBuilder b = new StringBuilder().append('{');
        RecordComponent[] components = r.getClass().getRecordComponents();
        for (int i = 0; i < components.length; i++) {
            Object value;
            try {
                value = components[i].getAccessor().invoke(r);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("reading " + components[i].getName() + " of " + r.getClass(), e);
            }
            b.append(i == 0 ? "" : ",").append(Json.string(snakeCase(components[i].getName()))).append(':').append(value);
        }
        return b.append('}').toString();
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
