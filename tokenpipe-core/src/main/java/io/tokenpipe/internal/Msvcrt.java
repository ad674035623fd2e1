package io.tokenpipe.internal;

/**
 * The Microsoft C runtime (msvcrt) and the few kernel32 functions a token pipe needs on Windows, one method per
 * C function with primitive arguments, implemented once per {@link Backend}. Written, compiled, never run.
 */
public interface Msvcrt {

    /** The CRT's own errno (not GetLastError) as the calling thread's last failed CRT call left it. */
    int errno();

    int _pipe(long fds, int size, int textmode);

    int _read(int fd, long buffer, int count);

    int _write(int fd, long buffer, int count);

    int _close(int fd);

    long _get_osfhandle(int fd);

    int _getmaxstdio();

    /** strerror's text as bytes, without the NUL (null for NULL); decoded by {@link NativeText}. */
    byte[] strerror(int errnum);

    // kernel32

    int GetCurrentThreadId();

    long OpenThread(int desiredAccess, boolean inheritHandle, int threadId);

    boolean CancelSynchronousIo(long thread);

    boolean CloseHandle(long handle);

    int GetFileType(long file);

    /** Sets {@link #lastError()} when it fails (returns false). */
    boolean SetHandleInformation(long handle, int mask, int flags);

    /**
     * BOOL GetNamedPipeInfo(HANDLE, LPDWORD, LPDWORD, LPDWORD, LPDWORD); every out pointer may be 0 (NULL) when
     * its value is not wanted. Sets {@link #lastError()} when it fails (returns false).
     */
    boolean GetNamedPipeInfo(long pipe, long flags, long outBufferSize, long inBufferSize, long maxInstances);

    /**
     * GetLastError as the calling thread's last failed call of {@link #SetHandleInformation} or
     * {@link #GetNamedPipeInfo} left it, saved by the binding right after that call: between two calls the JVM
     * makes Win32 calls of its own, so a GetLastError call of its own could see one of theirs.
     */
    int lastError();
}
