package dev.corkboard.bench;

import java.util.List;
import java.util.Optional;

/**
 * One configuration of the BBS that the lifecycle phase measures, as the flags its process starts with. A variant
 * whose flags this BBS build does not know is left out of the run and reported as such.
 */
record BbsVariant(String name, List<String> flags) {

    BbsVariant {
        flags = List.copyOf(flags);
    }

    /**
     * One etcd transaction per transition; transitions batched up to {@code batch} per transaction; and batched over
     * jetcd's Vert.x transport instead of grpc-java's. Every flag is spelled out, so a variant means the same whatever
     * the BBS's defaults are.
     */
    static List<BbsVariant> all(int batch) {
        return List.of(new BbsVariant("unbatched", List.of("--transition-batch=1", "--etcd-transport=grpc")),
                new BbsVariant("batched", List.of("--transition-batch=" + batch, "--etcd-transport=grpc")),
                new BbsVariant("vertx", List.of("--transition-batch=" + batch, "--etcd-transport=vertx")));
    }

    /** Why this BBS build cannot run the variant, when it cannot. */
    Optional<String> unsupported() {
        return flags.stream().filter(flag -> !BbsProcess.accepts(flag)).findFirst()
                .map(flag -> "this BBS build has no " + flag.substring(0, flag.indexOf('=')));
    }

    String describe() {
        return String.join(" ", flags);
    }
}
