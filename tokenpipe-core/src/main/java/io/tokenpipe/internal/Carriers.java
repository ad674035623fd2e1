package io.tokenpipe.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * Whether each carrier thread of virtual threads blocks the wake-up signal, by native id: a virtual thread's calls
 * run on its carrier, whose signal mask is what counts. Read once per carrier, the first time a virtual thread makes
 * a system call on it; carriers are few (one per CPU by default), so a copy-on-write array of pairs is enough and a
 * lookup allocates nothing. Updates take no lock: a virtual thread that blocked on a monitor here could be moved to
 * another carrier between reading its carrier's id and its system call.
 */
final class Carriers {
    private static final VarHandle KNOWN;
    /** id, blocks (1 or 0), id, blocks, ... */
    private static volatile long[] known = new long[0];

    static {
        try {
            KNOWN = MethodHandles.lookup().findStaticVarHandle(Carriers.class, "known", long[].class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Carriers() {
    }

    /** Whether carrier {@code id}, the calling thread's, blocks the signal; read now if it was never seen. */
    static boolean blocksWakeUp(long id, java.nio.ByteBuffer scratch, long scratchAddress) {
        long[] pairs = known;
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i] == id) {
                return pairs[i + 1] != 0;
            }
        }
        boolean blocks = NativeIo.get().blocksWakeUp(scratch, scratchAddress);
        remember(id, blocks);
        return blocks;
    }

    /** Records what was learned about carrier {@code id} (read from its mask, or from a call it could not leave). */
    static void remember(long id, boolean blocks) {
        while (true) {
            long[] pairs = known;
            long[] changed = null;
            for (int i = 0; i < pairs.length && changed == null; i += 2) {
                if (pairs[i] == id) {
                    if ((pairs[i + 1] != 0) == blocks) {
                        return;
                    }
                    changed = pairs.clone();
                    changed[i + 1] = blocks ? 1 : 0;
                }
            }
            if (changed == null) {
                changed = Arrays.copyOf(pairs, pairs.length + 2);
                changed[pairs.length] = id;
                changed[pairs.length + 1] = blocks ? 1 : 0;
            }
            if (KNOWN.compareAndSet(pairs, changed)) {
                return;
            }
        }
    }
}
