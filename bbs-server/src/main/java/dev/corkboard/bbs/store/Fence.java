package dev.corkboard.bbs.store;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import java.util.List;
import java.util.Optional;

/**
 * What a fenced write must still hold for it to land. The converger's leader fences every write with its election
 * key: the transaction compares that key's create revision with the one the leader got when elected, so once the key
 * is gone (the lease expired while the leader was paused or cut off, or it resigned) or belongs to a newer leader,
 * etcd refuses the write. A deposed leader therefore cannot write, whatever its own clock or state believes.
 */
public sealed interface Fence {

    /** The compares a fenced transaction adds to its own. */
    List<Cmp> compares();

    /** What the transaction's else branch reads so a failed write can tell "deposed" from "lost the race". */
    List<Op> probes();

    /** Whether the fence still held, judged from the else branch's reads ({@link #probes()}), in order. */
    boolean heldIn(List<List<KeyValue>> probed);

    /** No fence: for tests and tools that write outside an election. */
    static Fence none() {
        return Unfenced.INSTANCE;
    }

    /** Held while {@code key} exists with this create revision. */
    static Fence electionKey(ByteSequence key, long createRevision) {
        return new ElectionKey(key, createRevision);
    }

    /** The absence of a fence. */
    enum Unfenced implements Fence {
        INSTANCE;

        @Override
        public List<Cmp> compares() {
            return List.of();
        }

        @Override
        public List<Op> probes() {
            return List.of();
        }

        @Override
        public boolean heldIn(List<List<KeyValue>> probed) {
            return true;
        }
    }

    /**
     * An election key and the create revision it had when its holder was elected.
     *
     * @param key the leader's election key, e.g. {@code <prefix>/election/converger/<lease id in hex>}
     * @param createRevision the key's create revision when the holder became leader (always positive)
     */
    record ElectionKey(ByteSequence key, long createRevision) implements Fence {

        public ElectionKey {
            if (createRevision <= 0) {
                throw new IllegalArgumentException("createRevision must be positive, was " + createRevision);
            }
        }

        @Override
        public List<Cmp> compares() {
            // a missing key has create revision 0, so this fails once the key is gone
            return List.of(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(createRevision)));
        }

        @Override
        public List<Op> probes() {
            return List.of(Op.get(key, GetOption.DEFAULT));
        }

        @Override
        public boolean heldIn(List<List<KeyValue>> probed) {
            Optional<KeyValue> found = probed.isEmpty() ? Optional.empty() : probed.get(0).stream().findFirst();
            return found.map(kv -> kv.getCreateRevision() == createRevision).orElse(false);
        }
    }
}
