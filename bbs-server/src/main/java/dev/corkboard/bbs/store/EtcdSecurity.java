package dev.corkboard.bbs.store;

import java.nio.file.Path;
import java.util.Optional;

/**
 * How a Corkboard process proves itself to etcd and checks etcd in turn: TLS with a trusted CA (and a client
 * certificate when etcd runs with {@code --client-cert-auth}), and etcd's own user/password authentication. Both are
 * optional and independent; {@link #NONE} is plaintext without authentication.
 *
 * @param tls the CA etcd's server certificate must chain to, and the client certificate; empty: plaintext
 * @param auth the etcd user and the file holding its password; empty: no etcd authentication
 */
public record EtcdSecurity(Optional<Tls> tls, Optional<Auth> auth) {

    /** Plaintext, no authentication. */
    public static final EtcdSecurity NONE = new EtcdSecurity(Optional.empty(), Optional.empty());

    /**
     * PEM files for TLS to etcd.
     *
     * @param trustedCa the CA that signed etcd's server certificate; the only one trusted
     * @param clientCertificate this process's certificate chain and PKCS#8 key, for etcd's mutual TLS; empty: none
     */
    public record Tls(Path trustedCa, Optional<ClientCertificate> clientCertificate) {}

    /** A certificate chain and its private key (PKCS#8 PEM, the form Netty reads). */
    public record ClientCertificate(Path certChain, Path privateKey) {}

    /**
     * etcd user authentication. The password lives in a file, read when the connection opens, so that it shows
     * neither in the process list nor in the configuration the process logs.
     *
     * @param user the etcd user name
     * @param passwordFile a file whose content, without trailing line breaks, is the password
     */
    public record Auth(String user, Path passwordFile) {}
}
