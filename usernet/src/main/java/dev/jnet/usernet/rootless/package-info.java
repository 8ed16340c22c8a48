/**
 * Rootless sessions: a command in new user, network and mount namespaces, online through a
 * usernet stack this JVM serves on the namespace's tap (what {@code jnet rootless} runs, and
 * what a test harness can run in-process). See {@link dev.jnet.usernet.rootless.RootlessSession}.
 */
package dev.jnet.usernet.rootless;
