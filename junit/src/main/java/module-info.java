/**
 * Disposable network topologies for JUnit 5 tests: {@code dev.jnet.junit} (Topology, Netns,
 * ImpairedLink, Internet, FakeHost, JnetTopologyExtension). Its API hands out the libraries'
 * types (RtnlHandle, Fd, the fault injector's rates, the usernet stack), hence the transitive
 * requirements.
 */
module dev.jnet.junit {
    requires transitive dev.jnet.usernet;
    requires transitive org.junit.jupiter.api;

    exports dev.jnet.junit;
}
