package dev.jnet.it.usernet;

import dev.jnet.netns.NetnsManager;
import java.util.concurrent.Callable;

/**
 * Runs set-up code on a thread inside one of our named namespaces (root only). A socket made
 * there belongs to that namespace for life, so servers are bound here and served from anywhere.
 */
final class InNetns {
    private static final NetnsManager ROOTFUL = NetnsManager.rootful(NetnsManager.IPROUTE2_DIR);

    private InNetns() {}

    static <T> T call(String netns, Callable<T> task) throws Exception {
        return ROOTFUL.call(netns, task);
    }
}
