package io.tokenpipe.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The descriptors this process's live {@link FdHandle}s own: one slot per descriptor number, claimed atomically, so
 * that a descriptor has one owner at most. {@code adopt} claims a number that nobody holds or fails; a pipe that
 * {@code make()} just got from the kernel takes its numbers whatever the slots say (the kernel's word is final:
 * a handle still holding such a number lost its descriptor to code that closed it behind its back).
 *
 * <p>It is also what keeps every open handle strongly reachable, so that {@link LeakGuard} learns of an end
 * collected without close(): a handle stays here from its claim until its descriptor is closed, handed to a child
 * or detached.
 *
 * <p>Slots live in pages of 1,024 (descriptor numbers are small and dense); the directory of pages is copied when
 * it grows, pages never move, so claiming and releasing are one atomic operation on a slot, without a lock.
 */
final class FdRegistry {
    private static final int PAGE_BITS = 10;
    private static final int PAGE_MASK = (1 << PAGE_BITS) - 1;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(FdHandle[].class);

    /** Pages by number; replaced (never changed in place) when a page is added. */
    private static volatile FdHandle[][] pages = new FdHandle[16][];

    private FdRegistry() {
    }

    /** Makes {@code handle} the owner of its descriptor if nobody owns it; false (nothing changed) otherwise. */
    static boolean claim(FdHandle handle) {
        int fd = handle.fd();
        return SLOT.compareAndSet(page(fd), fd & PAGE_MASK, (FdHandle) null, handle);
    }

    /**
     * Makes {@code handle} the owner of a descriptor the kernel has just handed out. A handle found in the slot
     * that is not closing its descriptor right now lost it to someone who closed it behind its back: it is
     * neutralised (it will never call close(2) on the number, which is the new pipe's now) and this is logged.
     */
    static void claimFresh(FdHandle handle) {
        int fd = handle.fd();
        FdHandle[] page = page(fd);
        // No atomic exchange needed: nobody else can be given this number while it is open, and an adopt() racing
        // for it (it would have to guess the number, not open when it claimed it) is still checking: its handle
        // gives way without a warning and its check fails (confirmAdoption, or the close-on-exec check, as pipe2
        // made the descriptor close-on-exec); its release then finds this handle in the slot and leaves it.
        FdHandle previous = (FdHandle) SLOT.getVolatile(page, fd & PAGE_MASK);
        SLOT.setRelease(page, fd & PAGE_MASK, handle);
        if (previous != null && previous.loseDescriptor()) {
            try { // building the message may run out of memory: the handle is registered, so nothing may throw now
                Log.log(System.Logger.Level.WARNING, "fd " + fd + " was closed behind the back of the token pipe"
                        + " end that owned it (by code outside tokenpipe), and the kernel has now given the number to"
                        + " a new pipe; the old end will never close it (its calls fail with EBADF from now on)");
            } catch (Throwable messageLost) {
                // as a failing logging backend loses it (Log)
            }
        }
    }

    /** Lets the descriptor go if {@code handle} still owns it; idempotent. */
    static void release(FdHandle handle) {
        int fd = handle.fd();
        FdHandle[] page = existingPage(fd);
        if (page != null) {
            SLOT.compareAndSet(page, fd & PAGE_MASK, handle, (FdHandle) null);
        }
    }

    /** The live handle owning {@code fd}, or null. */
    static FdHandle owner(int fd) {
        FdHandle[] page = existingPage(fd);
        return page == null ? null : (FdHandle) SLOT.getVolatile(page, fd & PAGE_MASK);
    }

    private static FdHandle[] existingPage(int fd) {
        FdHandle[][] directory = pages;
        int index = fd >>> PAGE_BITS;
        return index < directory.length ? directory[index] : null;
    }

    private static FdHandle[] page(int fd) {
        FdHandle[] page = existingPage(fd);
        return page != null ? page : addPage(fd >>> PAGE_BITS);
    }

    private static synchronized FdHandle[] addPage(int index) {
        FdHandle[][] directory = pages;
        if (index < directory.length && directory[index] != null) {
            return directory[index];
        }
        FdHandle[][] grown = java.util.Arrays.copyOf(directory, Math.max(directory.length, index + 1));
        grown[index] = new FdHandle[1 << PAGE_BITS];
        pages = grown; // published whole: readers see the page array filled in
        return grown[index];
    }
}
