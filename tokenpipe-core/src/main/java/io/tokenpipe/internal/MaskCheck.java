package io.tokenpipe.internal;

/**
 * When a thread's signal mask is looked at: the system property {@value #PROPERTY}. {@code firstCall} (the
 * default) reads it at the thread's first token call; a thread that blocks the wake-up signal only later cannot be
 * woken from the one call it is in when it is found out. {@code everyCall} unblocks the signal around every system
 * call of every token call (one rt_sigprocmask more per call, two for a thread that blocks it), so that no call of
 * any thread ever depends on the mask it had before. POSIX only: Windows has no signal masks.
 */
final class MaskCheck {
    static final String PROPERTY = "tokenpipe.maskCheck";
    static final String FIRST_CALL = "firstCall";
    static final String EVERY_CALL = "everyCall";

    private MaskCheck() {
    }

    /**
     * Whether every call checks the mask.
     *
     * @throws IllegalStateException naming the property and its values when it is set to something else
     */
    static boolean everyCall() {
        String value = System.getProperty(PROPERTY, "").trim();
        if (value.isEmpty() || value.equals(FIRST_CALL)) {
            return false;
        }
        if (value.equals(EVERY_CALL)) {
            return !Os.WINDOWS;
        }
        throw new IllegalStateException("system property " + PROPERTY + "=" + value + " is not a value: use "
                + FIRST_CALL + " (the default: a thread's signal mask is read at its first token call) or "
                + EVERY_CALL + " (the wake-up signal is unblocked around every system call, for threads that block"
                + " it after their first call)");
    }
}
