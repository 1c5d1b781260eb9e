package dev.corkboard.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway PKI made with the openssl command: CAs, a server certificate for 127.0.0.1 and localhost, and client
 * certificates. Keys are P-256 EC in PKCS#8 PEM, the form grpc-netty reads.
 */
public final class TestCertificates {

    private static final String OPENSSL = "/usr/bin/openssl";

    private final Path dir;

    public TestCertificates(Path dir) {
        this.dir = dir;
    }

    /** A self-signed CA: {@code <name>.pem} and {@code <name>.key}. */
    public Path ca(String name) throws IOException, InterruptedException {
        Path key = key(name);
        Path cert = dir.resolve(name + ".pem");
        openssl("req", "-x509", "-new", "-key", key.toString(), "-out", cert.toString(), "-days", "2",
                "-subj", "/CN=" + name);
        return cert;
    }

    /** A server certificate for 127.0.0.1 and localhost, signed by {@code ca}. */
    public Path server(String name, Path ca) throws IOException, InterruptedException {
        return signed(name, ca, "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
    }

    /** A client certificate signed by {@code ca}. */
    public Path client(String name, Path ca) throws IOException, InterruptedException {
        return signed(name, ca, "extendedKeyUsage=clientAuth\n");
    }

    /**
     * A certificate that serves as both client and server (for 127.0.0.1 and localhost), signed by {@code ca}: what an
     * executor agent presents to the BBS and serves its logs with.
     */
    public Path peer(String name, Path ca) throws IOException, InterruptedException {
        return signed(name, ca, "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n");
    }

    public Path keyOf(String name) {
        return dir.resolve(name + ".key");
    }

    private Path signed(String name, Path ca, String extensions) throws IOException, InterruptedException {
        Path key = key(name);
        Path csr = dir.resolve(name + ".csr");
        Path ext = Files.writeString(dir.resolve(name + ".ext"), extensions, StandardCharsets.US_ASCII);
        Path cert = dir.resolve(name + ".pem");
        String caName = ca.getFileName().toString().replace(".pem", "");
        openssl("req", "-new", "-key", key.toString(), "-out", csr.toString(), "-subj", "/CN=" + name);
        openssl("x509", "-req", "-in", csr.toString(), "-CA", ca.toString(), "-CAkey", keyOf(caName).toString(),
                "-CAcreateserial", "-out", cert.toString(), "-days", "2", "-extfile", ext.toString());
        return cert;
    }

    private Path key(String name) throws IOException, InterruptedException {
        Path key = keyOf(name);
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key.toString());
        return key;
    }

    private void openssl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(OPENSSL);
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("openssl " + String.join(" ", args) + " failed: " + output);
        }
    }
}
