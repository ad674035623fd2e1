package io.tokenpipe.internal.windows;

import io.tokenpipe.internal.Backend;
import io.tokenpipe.internal.Errno;
import io.tokenpipe.internal.Msvcrt;
import io.tokenpipe.internal.NativeIo;
import io.tokenpipe.internal.NativeText;
import io.tokenpipe.internal.Os;
import java.nio.ByteBuffer;

/**
 * Windows through msvcrt's _pipe/_read/_write/_close. Compiled here but never run: it is untested.
 *
 * <p>A blocked _read is woken with CancelSynchronousIo, the Windows counterpart of the POSIX wake-up signal. Two
 * facts shape it. msvcrt's _read and _write hold a per-descriptor lock for the whole blocking call, and
 * CancelSynchronousIo cancels only the I/O the thread has pending at that moment: so a second caller, blocked on the
 * CRT's lock rather than in I/O, could be neither timed out nor interrupted. Callers of one descriptor therefore
 * take turns ({@link #serializesCalls()}: FdHandle lets one into the call and makes the others wait in a way that
 * honours their deadline, interrupt and close), and only the one inside is ever cancelled. Cancelling the
 * operation instead of the thread (overlapped I/O and CancelIoEx) is not possible here: anonymous pipes, which
 * _pipe makes with CreatePipe, do not support overlapped I/O (CreatePipe's documentation). What remains: a cancel
 * can still arrive just after the call it was meant for returned (the window is the few instructions between
 * seeing the thread inside and CancelSynchronousIo), and then aborts that thread's next synchronous I/O, if it
 * starts one at once, with ERROR_OPERATION_ABORTED, which the JDK does not retry.
 */
public final class WindowsIo extends NativeIo {
    private static final int O_BINARY = 0x8000;
    private static final int O_NOINHERIT = 0x0080;
    private static final int PIPE_SIZE = 4096;
    private static final int THREAD_TERMINATE = 0x0001;
    private static final int FILE_TYPE_PIPE = 3;
    private static final int HANDLE_FLAG_INHERIT = 1;
    private static final int ERROR_ACCESS_DENIED = 5; // winerror.h
    private static final int EINVAL = 22;

    private final Msvcrt crt;

    public WindowsIo(Backend backend) {
        super(backend);
        crt = backend.msvcrt();
        crt.GetCurrentThreadId(); // binds kernel32 now rather than on the first wake-up
    }

    @Override
    public int pipe(ByteBuffer scratch, long scratchAddress, boolean forceFallback) {
        return crt._pipe(scratchAddress, PIPE_SIZE, O_BINARY | O_NOINHERIT) == 0 ? 0 : errno();
    }

    @Override
    public long read(int fd, long buffer) {
        return crt._read(fd, buffer, 1);
    }

    @Override
    public long write(int fd, long buffer) {
        return crt._write(fd, buffer, 1);
    }

    @Override
    public int close(int fd) {
        return crt._close(fd);
    }

    @Override
    public int errno() {
        return crt.errno();
    }

    @Override
    public boolean isWakeUp(int errno, boolean woken) {
        // A cancelled synchronous read fails with ERROR_OPERATION_ABORTED, which the CRT maps to EINVAL; a real,
        // lasting EINVAL must not be retried forever, so it counts only right after a wake-up of this thread.
        return errno == Errno.EINTR || (errno == EINVAL && woken);
    }

    @Override
    public boolean isWouldBlock(int errno) {
        return false; // CRT pipes made or inherited here are never in non-blocking mode
    }

    @Override
    public void awaitReady(int fd, boolean write, ByteBuffer scratch, long scratchAddress) {
        throw new IllegalStateException("no non-blocking descriptors on Windows");
    }

    /**
     * Not known here: msvcrt has no readiness test for a CRT descriptor (_kbhit is for the console only), and an
     * anonymous pipe's bytes would be told by PeekNamedPipe on _get_osfhandle(fd) (CreatePipe's documentation:
     * anonymous pipes are named pipes with a unique name), which is not bound. So a timed read whose cancel came
     * after its deadline returns TS_TIMEOUT, as before. The case is narrower than on POSIX: CancelSynchronousIo
     * reaches only a read still pending, so a token there before the cancel completes the read, and the Waker
     * cancels only once the deadline has passed: a read it aborted had no token at that moment, after the deadline.
     * (Compiled, never run.)
     */
    @Override
    public boolean isReady(int fd, boolean write, ByteBuffer scratch, long scratchAddress) {
        return false;
    }

    /** No (see {@link #isReady}): a zero-timeout read blocks and is cancelled once its deadline has passed. */
    @Override
    public boolean tellsReadiness() {
        return false;
    }

    @Override
    public long currentThreadId() {
        return crt.GetCurrentThreadId();
    }

    @Override
    public boolean wake(long threadId) {
        long thread = crt.OpenThread(THREAD_TERMINATE, false, (int) threadId);
        if (thread == 0) {
            return false; // the thread cannot be reached at all
        }
        // FALSE here mostly means no I/O was pending at this moment (ERROR_NOT_FOUND): the thread is between its
        // system calls, and re-checks its state before the next one, or is cancelled again. That is not a failure.
        crt.CancelSynchronousIo(thread);
        crt.CloseHandle(thread);
        return true;
    }

    @Override
    public boolean serializesCalls() {
        return true;
    }

    @Override
    public void checkAdoptableNumber(int fd) {
        if (fd < 0) {
            throw new IllegalArgumentException("fd " + fd + " is negative; a descriptor number is 0 or more");
        }
        if (fd <= 2) {
            throw new IllegalArgumentException("fd " + fd + " is a standard stream; token pipes use descriptor 3 or above");
        }
    }

    @Override
    public void adopt(int fd) {
        long handle = crt._get_osfhandle(fd);
        if (handle == -1) {
            throw new IllegalArgumentException("fd " + fd + " is not open");
        }
        // GetFileType's documentation: FILE_TYPE_PIPE means "a socket, a named pipe, or an anonymous pipe".
        if (crt.GetFileType(handle) != FILE_TYPE_PIPE) {
            throw new IllegalArgumentException("fd " + fd + " is not a pipe");
        }
        // GetNamedPipeInfo's documentation: its handle "can also be a handle to an anonymous pipe, as returned by
        // the CreatePipe function" (which _pipe uses), every out pointer may be NULL, and it returns zero on failure,
        // with the reason from GetLastError. A socket is no pipe instance, so the call fails for it. The handle
        // needs GENERIC_READ, or GENERIC_WRITE and FILE_READ_ATTRIBUTES for a write-only end; but CreatePipe's
        // write handle has only GENERIC_WRITE and SYNCHRONIZE ("Anonymous Pipe Security and Access Rights"), so
        // for a write end the call may fail with ERROR_ACCESS_DENIED, which is therefore taken for a pipe. Our
        // reading, not documented: a socket's handle has the access (Winsock opens it for reading and writing), so
        // its call gets past the access check and fails for not being a pipe, with another error. A socket handle
        // duplicated without FILE_READ_ATTRIBUTES would pass. None of this has been run on Windows.
        if (!crt.GetNamedPipeInfo(handle, 0, 0, 0, 0)) {
            int error = crt.lastError();
            if (error != ERROR_ACCESS_DENIED) {
                throw new IllegalArgumentException("fd " + fd + " is a socket or another handle that is not a pipe"
                        + " (GetFileType says FILE_TYPE_PIPE for sockets too, and GetNamedPipeInfo failed: "
                        + windowsError(error) + "); token pipes adopt only pipes");
            }
        }
        // SetHandleInformation's documentation: zero on failure, the reason from GetLastError. An adopted handle
        // that stayed inheritable would leak into every child process: the adopt fails instead.
        if (!crt.SetHandleInformation(handle, HANDLE_FLAG_INHERIT, 0)) {
            throw new IllegalArgumentException("fd " + fd + ": cannot make its handle non-inheritable:"
                    + " SetHandleInformation failed: " + windowsError(crt.lastError()));
        }
    }

    /** "Windows error 6 (GetLastError)": the system error code, as winerror.h numbers it. */
    private static String windowsError(int code) {
        return "Windows error " + code + " (GetLastError)";
    }

    @Override
    public long openFileLimit() {
        return crt._getmaxstdio();
    }

    @Override
    public String platform() {
        return Os.describe() + " (msvcrt, " + backend().description() + ", untested)";
    }

    @Override
    protected String errorText(int errno) {
        return NativeText.decode(crt.strerror(errno));
    }
}
