/**
 * Real etcd for tests: {@link dev.corkboard.testkit.EtcdMember} runs one member on free loopback
 * ports, {@link dev.corkboard.testkit.EtcdCluster} a statically bootstrapped cluster of them, and
 * {@link dev.corkboard.testkit.EtcdExtension} gives a JUnit 5 test class its own cluster.
 *
 * <p>etcd comes from {@code $ETCD_BIN}, else {@code etcd} on {@code PATH} (Debian package
 * etcd-server), else a Docker engine (single member only); with none of these every entry point
 * fails at once with {@link dev.corkboard.testkit.EtcdBinary#NOT_FOUND_MESSAGE}. Members use short
 * raft timings (50 ms heartbeat, 500 ms election timeout) so failover tests stay fast.
 */
package dev.corkboard.testkit;
