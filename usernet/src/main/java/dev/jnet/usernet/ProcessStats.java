package dev.jnet.usernet;

import dev.jnet.linux.FdLimit;
import dev.jnet.linux.SyscallException;
import io.netty.util.internal.PlatformDependent;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;

/**
 * What the whole usernet process holds, next to a stack's {@link StackStats}: the resources a
 * hostile guest could try to exhaust.
 *
 * @param directMemory direct (off-heap) memory in use, bytes: Netty's own counter when it
 *                     allocates without cleaners, plus the JDK's direct buffer pool
 * @param fdsOpen      file descriptors open now (-1 if they could not be counted)
 * @param fdLimit      the soft RLIMIT_NOFILE (-1 if unknown); {@link HostTables} sizes the
 *                     tables from it
 */
public record ProcessStats(long directMemory, int fdsOpen, long fdLimit) {
    /** Now, from any thread. */
    public static ProcessStats now() {
        long netty = PlatformDependent.usedDirectMemory(); // -1 when Netty leaves it to the JDK's cleaners
        long jdk = 0;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                jdk += pool.getMemoryUsed();
            }
        }
        long limit;
        try {
            limit = FdLimit.soft();
        } catch (SyscallException e) {
            limit = -1;
        }
        return new ProcessStats(Math.max(0, netty) + jdk, FdLimit.open(), limit);
    }
}
