package dev.corkboard.bbs.config;

import dev.corkboard.bbs.store.EtcdSecurity;
import dev.corkboard.bbs.store.EtcdTransport;
import java.net.URI;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import picocli.CommandLine.Option;

/**
 * The etcd options of the processes that hold etcd credentials (the BBS server and the converger), mixed into their
 * picocli options with {@code @Mixin}. {@link SettingParser} checks them.
 */
public final class EtcdOptions {

    @Option(names = "--etcd-endpoints", paramLabel = "URLS", defaultValue = "http://127.0.0.1:2379",
            description = "Comma-separated etcd client URLs. Default: ${DEFAULT-VALUE}.")
    public String endpoints;

    @Option(names = "--etcd-prefix", paramLabel = "PREFIX", defaultValue = "/corkboard/v1",
            description = "Key prefix of every Corkboard key in etcd. Default: ${DEFAULT-VALUE}.")
    public String prefix;

    @Option(names = "--request-timeout", paramLabel = "DURATION", defaultValue = "5s",
            description = "Deadline of one etcd round trip; past it the call fails as unavailable."
                    + " Default: ${DEFAULT-VALUE}.")
    public String requestTimeout;

    @Option(names = "--etcd-transport", paramLabel = "grpc|vertx", defaultValue = "grpc",
            description = "Channel under the etcd client: grpc (grpc-java over Netty, jetcd's default) or vertx"
                    + " (a Vert.x event loop). Default: ${DEFAULT-VALUE}.")
    public String transport;

    @Option(names = "--etcd-cacert", paramLabel = "FILE", defaultValue = "",
            description = "PEM CA that signed etcd's server certificate; turns on TLS to etcd (every endpoint must"
                    + " then be https://). Default: none (plaintext).")
    public String cacert;

    @Option(names = "--etcd-cert", paramLabel = "FILE", defaultValue = "",
            description = "PEM client certificate for etcd's mutual TLS (--client-cert-auth); needs --etcd-key and"
                    + " --etcd-cacert. Default: none.")
    public String cert;

    @Option(names = "--etcd-key", paramLabel = "FILE", defaultValue = "",
            description = "PKCS#8 PEM private key of --etcd-cert. Default: none.")
    public String key;

    @Option(names = "--etcd-user", paramLabel = "NAME", defaultValue = "",
            description = "etcd user when etcd authentication is on; needs --etcd-password-file. Default: none.")
    public String user;

    @Option(names = "--etcd-password-file", paramLabel = "FILE", defaultValue = "",
            description = "File holding the password of --etcd-user (trailing line breaks ignored); never a password"
                    + " on the command line. Default: none.")
    public String passwordFile;

    /**
     * The TLS and authentication settings, checked against each other and against {@code endpoints}: a CA means TLS,
     * so every endpoint must be https:// and an https:// endpoint needs a CA; a client certificate needs its key and a
     * CA; a user needs a password file and the reverse. Each mistake is a problem for {@code parse} naming the flag.
     */
    public EtcdSecurity security(SettingParser parse, List<URI> endpoints) {
        Optional<Path> ca = parse.readableFile("--etcd-cacert", cacert);
        Optional<Path> certChain = parse.readableFile("--etcd-cert", cert);
        Optional<Path> privateKey = parse.readableFile("--etcd-key", key);
        Optional<Path> password = parse.readableFile("--etcd-password-file", passwordFile);
        parse.require(certChain.isPresent() == privateKey.isPresent(), certChain.isPresent() ? "--etcd-key"
                : "--etcd-cert", "expected --etcd-cert and --etcd-key together, got only "
                        + (certChain.isPresent() ? "--etcd-cert" : "--etcd-key"));
        parse.require(certChain.isEmpty() || ca.isPresent(), "--etcd-cacert",
                "expected with --etcd-cert and --etcd-key (a client certificate is presented over TLS only)");
        boolean https = endpoints.stream().anyMatch(uri -> "https".equals(uri.getScheme()));
        boolean http = endpoints.stream().anyMatch(uri -> "http".equals(uri.getScheme()));
        parse.require(!(https && http), "--etcd-endpoints",
                "expected every URL http:// or every URL https://, got both in '" + this.endpoints + "'");
        parse.require(ca.isEmpty() || !http, "--etcd-endpoints",
                "expected https:// URLs with --etcd-cacert (TLS to etcd), got '" + this.endpoints + "'");
        parse.require(ca.isPresent() || !https, "--etcd-cacert",
                "expected with https:// etcd endpoints: the CA that signed etcd's server certificate");
        parse.require(user.isBlank() == password.isEmpty(), user.isBlank() ? "--etcd-user" : "--etcd-password-file",
                "expected --etcd-user and --etcd-password-file together, got only "
                        + (user.isBlank() ? "--etcd-password-file" : "--etcd-user"));
        Optional<EtcdSecurity.Tls> tls = ca.map(trusted -> new EtcdSecurity.Tls(trusted,
                certChain.flatMap(chain -> privateKey.map(k -> new EtcdSecurity.ClientCertificate(chain, k)))));
        Optional<EtcdSecurity.Auth> auth = user.isBlank() ? Optional.empty()
                : password.map(file -> new EtcdSecurity.Auth(user.trim(), file));
        return new EtcdSecurity(tls, auth);
    }

    /** The transport {@code --etcd-transport} names; a problem for {@code parse} when it names none. */
    public EtcdTransport transport(SettingParser parse) {
        return EtcdTransport.named(transport).orElseGet(() -> {
            parse.problem("--etcd-transport", "expected one of " + Arrays.stream(EtcdTransport.values())
                    .map(EtcdTransport::settingName).collect(Collectors.joining(", ")) + ", got '" + transport + "'");
            return EtcdTransport.GRPC;
        });
    }
}
