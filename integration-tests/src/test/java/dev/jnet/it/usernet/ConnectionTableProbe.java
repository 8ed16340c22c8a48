package dev.jnet.it.usernet;

import java.util.OptionalInt;

/**
 * Hook for asking the running usernet how many connections its table holds. slirp4netns and
 * the CLI have no such query today, so {@link #NONE} is what the sandbox uses; once jnet's
 * stack exposes the count (API socket), a probe plugged in here makes the churn test assert
 * that the table is empty, beside the fd count it asserts already.
 */
@FunctionalInterface
interface ConnectionTableProbe {
    /** No way to ask: the table cannot be checked from outside. */
    ConnectionTableProbe NONE = usernetPid -> OptionalInt.empty();

    /** Connections (TCP and UDP flows) the usernet with this pid holds, if it can be asked. */
    OptionalInt openConnections(long usernetPid);
}
