package dev.corkboard.bbs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corkboard.bbs.store.EtcdSecurity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The etcd TLS and authentication settings, and how they are checked against each other and the endpoints. */
class EtcdOptionsTest {

    @TempDir
    Path dir;

    private String ca;
    private String cert;
    private String key;
    private String password;

    @BeforeEach
    void files() throws IOException {
        ca = Files.writeString(dir.resolve("ca.pem"), "ca").toString();
        cert = Files.writeString(dir.resolve("client.pem"), "cert").toString();
        key = Files.writeString(dir.resolve("client.key"), "key").toString();
        password = Files.writeString(dir.resolve("password"), "secret\n").toString();
    }

    @Test
    void withoutTlsOrAuthenticationTheConnectionIsPlain() {
        assertEquals(EtcdSecurity.NONE, security(Map.of()));
    }

    @Test
    void environmentVariablesGiveMutualTlsAndAuthentication() {
        EtcdSecurity security = security(Map.of("CORKBOARD_ETCD_ENDPOINTS", "https://10.0.0.1:2379",
                "CORKBOARD_ETCD_CACERT", ca, "CORKBOARD_ETCD_CERT", cert, "CORKBOARD_ETCD_KEY", key,
                "CORKBOARD_ETCD_USER", "bbs", "CORKBOARD_ETCD_PASSWORD_FILE", password));

        assertEquals(new EtcdSecurity(Optional.of(new EtcdSecurity.Tls(Path.of(ca),
                Optional.of(new EtcdSecurity.ClientCertificate(Path.of(cert), Path.of(key))))),
                Optional.of(new EtcdSecurity.Auth("bbs", Path.of(password)))), security);
    }

    @Test
    void aCaWithHttpEndpointsIsRefusedNamingTheEndpoints() {
        assertEquals(List.of("--etcd-endpoints: expected https:// URLs with --etcd-cacert (TLS to etcd), got"
                + " 'http://127.0.0.1:2379'"), problems("--etcd-cacert", ca));
    }

    @Test
    void httpsEndpointsWithoutACaAreRefusedNamingTheCaFlag() {
        assertEquals(List.of("--etcd-cacert: expected with https:// etcd endpoints: the CA that signed etcd's server"
                + " certificate"), problems("--etcd-endpoints", "https://127.0.0.1:2379"));
    }

    @Test
    void httpAndHttpsEndpointsTogetherAreRefused() {
        assertTrue(problems("--etcd-endpoints", "https://a:2379,http://b:2379", "--etcd-cacert", ca).contains(
                "--etcd-endpoints: expected every URL http:// or every URL https://, got both in"
                        + " 'https://a:2379,http://b:2379'"));
    }

    @Test
    void aCertificateWithoutItsKeyIsRefusedNamingTheMissingFlag() {
        assertEquals(List.of("--etcd-key: expected --etcd-cert and --etcd-key together, got only --etcd-cert"),
                problems("--etcd-endpoints", "https://127.0.0.1:2379", "--etcd-cacert", ca, "--etcd-cert", cert));
    }

    @Test
    void aClientCertificateWithoutACaIsRefused() {
        assertEquals(List.of("--etcd-cacert: expected with --etcd-cert and --etcd-key (a client certificate is"
                + " presented over TLS only)"), problems("--etcd-cert", cert, "--etcd-key", key));
    }

    @Test
    void anUnreadableFileIsRefusedNamingItsFlag() {
        String missing = dir.resolve("missing.pem").toString();
        assertEquals(List.of("--etcd-cacert: expected a readable file, got '" + missing + "' which does not exist"),
                problems("--etcd-endpoints", "https://127.0.0.1:2379", "--etcd-cacert", missing));
    }

    @Test
    void aUserWithoutAPasswordFileIsRefused() {
        assertEquals(List.of("--etcd-password-file: expected --etcd-user and --etcd-password-file together, got"
                + " only --etcd-user"), problems("--etcd-user", "bbs"));
    }

    @Test
    void aPasswordFileWithoutAUserIsRefused() {
        assertEquals(List.of("--etcd-user: expected --etcd-user and --etcd-password-file together, got only"
                + " --etcd-password-file"), problems("--etcd-password-file", password));
    }

    private static EtcdSecurity security(Map<String, String> env, String... args) {
        EtcdOptions options = ProcessMain.parseOptions(new EtcdOptions(), args, env);
        SettingParser parse = new SettingParser();
        EtcdSecurity security = options.security(parse, parse.endpoints("--etcd-endpoints", options.endpoints));
        parse.throwIfAny();
        return security;
    }

    private static List<String> problems(String... args) {
        return assertThrows(InvalidConfigException.class, () -> security(Map.of(), args)).problems();
    }
}
