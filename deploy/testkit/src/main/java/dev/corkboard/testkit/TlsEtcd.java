package dev.corkboard.testkit;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A one-member etcd that requires mutual TLS from its clients, with a throwaway PKI made by {@link TestCertificates}
 * in {@code dir}: a CA, etcd's server certificate for 127.0.0.1 and a client certificate, all signed by that CA.
 *
 * <pre>{@code
 * try (TlsEtcd etcd = TlsEtcd.start(dir)) {
 *     // connect to etcd.endpoint() trusting etcd.ca(), presenting etcd.clientCert() and etcd.clientKey()
 * }
 * }</pre>
 *
 * <p>The member also listens on a plain URL, which only the testkit uses for its health checks.
 */
public final class TlsEtcd implements AutoCloseable {

    private final EtcdMember member;
    private final String endpoint;
    private final Path ca;
    private final Path clientCert;
    private final Path clientKey;

    private TlsEtcd(EtcdMember member, String endpoint, Path ca, Path clientCert, Path clientKey) {
        this.member = member;
        this.endpoint = endpoint;
        this.ca = ca;
        this.clientCert = clientCert;
        this.clientKey = clientKey;
    }

    /**
     * Makes the certificates in {@code dir} and starts etcd; returns once it is healthy.
     *
     * @throws EtcdStartException when etcd does not start
     */
    public static TlsEtcd start(Path dir) throws IOException, InterruptedException {
        TestCertificates certificates = new TestCertificates(dir);
        Path ca = certificates.ca("etcd-ca");
        Path server = certificates.server("etcd-server", ca);
        Path client = certificates.client("etcd-client", ca);
        int securePort = FreePorts.pick(1)[0];
        EtcdMember member = EtcdMember.standaloneWithTls(securePort, server, certificates.keyOf("etcd-server"), ca);
        try {
            member.start();
        } catch (RuntimeException e) {
            member.close();
            throw e;
        }
        return new TlsEtcd(member, "https://127.0.0.1:" + securePort, ca, client, certificates.keyOf("etcd-client"));
    }

    /** The TLS client URL, e.g. {@code https://127.0.0.1:23791}. */
    public String endpoint() {
        return endpoint;
    }

    /** The CA that signed etcd's server certificate and the client certificate. */
    public Path ca() {
        return ca;
    }

    /** A client certificate etcd accepts. */
    public Path clientCert() {
        return clientCert;
    }

    /** The PKCS#8 PEM key of {@link #clientCert()}. */
    public Path clientKey() {
        return clientKey;
    }

    /** Stops etcd and deletes its data. */
    @Override
    public void close() {
        member.close();
    }
}
