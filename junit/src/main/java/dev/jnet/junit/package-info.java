/**
 * Disposable network topologies for tests: {@link dev.jnet.junit.Topology} and the JUnit 5
 * extension {@link dev.jnet.junit.JnetTopologyExtension}.
 */
package dev.jnet.junit;
