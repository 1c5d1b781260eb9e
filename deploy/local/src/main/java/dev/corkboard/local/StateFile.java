package dev.corkboard.local;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/**
 * The cluster's state file {@code DIR/cluster.json}, and beside it {@code DIR/bbs-endpoints}: the BBS endpoints as
 * one plain line, present only while the cluster is up, so {@code deploy/bin/cork} can pick them up without a JVM.
 * Both are replaced atomically (written aside, then renamed), so a reader never sees half a file.
 */
final class StateFile {

    static final String NAME = "cluster.json";
    static final String BBS_ENDPOINTS = "bbs-endpoints";

    static final Gson GSON = new GsonBuilder()
            .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
            .setPrettyPrinting()
            .disableHtmlEscaping()
            .create();

    private StateFile() {}

    static Optional<ClusterState> read(Path dir) {
        Path file = dir.resolve(NAME);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            ClusterState state = GSON.fromJson(Files.readString(file), ClusterState.class);
            if (state == null || state.processes() == null) {
                throw new IllegalStateException(file + " is empty; remove " + dir + " to start afresh");
            }
            return Optional.of(state);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (JsonParseException e) {
            throw new IllegalStateException(file + " is not a cluster state file (" + e.getMessage() + "); remove "
                    + dir + " to start afresh", e);
        }
    }

    static void write(ClusterState state) {
        replace(Path.of(state.dir()).resolve(NAME), GSON.toJson(state) + "\n");
    }

    static void writeBbsEndpoints(Path dir, List<String> endpoints) {
        replace(dir.resolve(BBS_ENDPOINTS), String.join(",", endpoints) + "\n");
    }

    static void removeBbsEndpoints(Path dir) {
        try {
            Files.deleteIfExists(dir.resolve(BBS_ENDPOINTS));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + dir.resolve(BBS_ENDPOINTS), e);
        }
    }

    private static void replace(Path file, String text) {
        Path aside = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.writeString(aside, text, StandardCharsets.UTF_8);
            Files.move(aside, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
