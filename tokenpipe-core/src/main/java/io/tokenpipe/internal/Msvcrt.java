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

    String strerror(int errnum);

    // kernel32

    int GetCurrentThreadId();

    long OpenThread(int desiredAccess, boolean inheritHandle, int threadId);

    boolean CancelSynchronousIo(long thread);

    boolean CloseHandle(long handle);

    int GetFileType(long file);

    boolean SetHandleInformation(long handle, int mask, int flags);
}
