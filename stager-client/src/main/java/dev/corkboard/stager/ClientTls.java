package dev.corkboard.stager;

import io.grpc.ChannelCredentials;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * TLS towards the BBS: the CA that signed the BBS's certificate, and for mutual TLS the client's own certificate and
 * key (PEM files).
 */
public record ClientTls(Path trustedCa, Optional<Path> certificate, Optional<Path> privateKey) {

    public ClientTls {
        if (certificate.isPresent() != privateKey.isPresent()) {
            throw new IllegalArgumentException("a client certificate needs its private key and the other way round");
        }
    }

    /** Server authentication only. */
    public static ClientTls trusting(Path trustedCa) {
        return new ClientTls(trustedCa, Optional.empty(), Optional.empty());
    }

    /** Mutual TLS: the BBS also checks this client's certificate. */
    public static ClientTls mutual(Path trustedCa, Path certificate, Path privateKey) {
        return new ClientTls(trustedCa, Optional.of(certificate), Optional.of(privateKey));
    }

    ChannelCredentials credentials() {
        try {
            TlsChannelCredentials.Builder builder = TlsChannelCredentials.newBuilder()
                    .trustManager(readable(trustedCa).toFile());
            if (certificate.isPresent()) {
                builder.keyManager(readable(certificate.get()).toFile(), readable(privateKey.orElseThrow()).toFile());
            }
            return builder.build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read TLS material: " + e.getMessage(), e);
        }
    }

    private static Path readable(Path file) {
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException("TLS file " + file + " does not exist or is not readable");
        }
        return file;
    }
}
