package io.tokenpipe.internal;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;

/**
 * Windows through msvcrt's _pipe/_read/_write/_close. Compiled here but never run: it is untested.
 * A blocked _read is woken with CancelSynchronousIo, the Windows counterpart of the POSIX wake-up signal.
 */
final class WindowsIo extends NativeIo {
    private static final int O_BINARY = 0x8000;
    private static final int O_NOINHERIT = 0x0080;
    private static final int PIPE_SIZE = 4096;
    private static final int THREAD_TERMINATE = 0x0001;
    private static final int FILE_TYPE_PIPE = 3;
    private static final int HANDLE_FLAG_INHERIT = 1;
    private static final int EINVAL = 22;

    WindowsIo() {
        WindowsCrt.Kernel32.GetCurrentThreadId(); // binds kernel32 now rather than on the first wake-up
    }

    @Override
    public int pipe(long fds, boolean forceFallback) {
        return WindowsCrt._pipe(fds, PIPE_SIZE, O_BINARY | O_NOINHERIT) == 0 ? 0 : errno();
    }

    @Override
    public long read(int fd, long buffer) {
        return WindowsCrt._read(fd, buffer, 1);
    }

    @Override
    public long write(int fd, long buffer) {
        return WindowsCrt._write(fd, buffer, 1);
    }

    @Override
    public int close(int fd) {
        return WindowsCrt._close(fd);
    }

    @Override
    public int errno() {
        // The CRT keeps its own errno (not GetLastError), per thread, behind _errno().
        return new Pointer(WindowsCrt._errno()).getInt(0);
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

    @Override
    public long currentThreadId() {
        return WindowsCrt.Kernel32.GetCurrentThreadId();
    }

    @Override
    public void wake(long threadId) {
        long thread = WindowsCrt.Kernel32.OpenThread(THREAD_TERMINATE, false, (int) threadId);
        if (thread != 0) {
            WindowsCrt.Kernel32.CancelSynchronousIo(thread);
            WindowsCrt.Kernel32.CloseHandle(thread);
        }
    }

    @Override
    public void adopt(int fd) {
        if (fd < 0) {
            throw new IllegalArgumentException("fd " + fd + " is negative; a descriptor number is 0 or more");
        }
        if (fd <= 2) {
            throw new IllegalArgumentException("fd " + fd + " is a standard stream; token pipes use descriptor 3 or above");
        }
        long handle = WindowsCrt._get_osfhandle(fd);
        if (handle == -1) {
            throw new IllegalArgumentException("fd " + fd + " is not open");
        }
        if (WindowsCrt.Kernel32.GetFileType(handle) != FILE_TYPE_PIPE) {
            throw new IllegalArgumentException("fd " + fd + " is not a pipe");
        }
        WindowsCrt.Kernel32.SetHandleInformation(handle, HANDLE_FLAG_INHERIT, 0);
    }

    @Override
    public long openFileLimit() {
        return WindowsCrt._getmaxstdio();
    }

    @Override
    public String platform() {
        return System.getProperty("os.name") + " " + System.getProperty("os.arch") + " (msvcrt, JNA " + Native.VERSION
                + ", untested)";
    }

    @Override
    String errorText(int errno) {
        return WindowsCrt.strerror(errno);
    }
}
