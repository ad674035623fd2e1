package io.tokenpipe.internal.jna;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import io.tokenpipe.internal.Msvcrt;

/** {@link Msvcrt} through JNA direct mapping. Compiled, never run. */
final class JnaMsvcrt implements Msvcrt {

    JnaMsvcrt() {
        Crt._getmaxstdio(); // binds now
    }

    private static final class Crt {
        static {
            Native.register(Crt.class, NativeLibrary.getInstance("msvcrt"));
        }

        static native int _pipe(long fds, int size, int textmode);

        static native int _read(int fd, long buffer, int count);

        static native int _write(int fd, long buffer, int count);

        static native int _close(int fd);

        /** The address of the calling thread's CRT errno. */
        static native long _errno();

        static native long _get_osfhandle(int fd);

        static native int _getmaxstdio();

        static native Pointer strerror(int errnum); // not String: JNA would decode it by its own rules
    }

    private static final class Kernel32 {
        static {
            Native.register(Kernel32.class, NativeLibrary.getInstance("kernel32"));
        }

        static native int GetCurrentThreadId();

        static native long OpenThread(int desiredAccess, boolean inheritHandle, int threadId);

        static native boolean CancelSynchronousIo(long thread);

        static native boolean CloseHandle(long handle);

        static native int GetFileType(long file);

        static native boolean SetHandleInformation(long handle, int mask, int flags);

        static native boolean GetNamedPipeInfo(long pipe, long flags, long outBufferSize, long inBufferSize,
                long maxInstances);
    }

    @Override
    public int errno() {
        // The CRT keeps its own errno (not GetLastError), per thread, behind _errno().
        return new Pointer(Crt._errno()).getInt(0);
    }

    @Override
    public int _pipe(long fds, int size, int textmode) {
        return Crt._pipe(fds, size, textmode);
    }

    @Override
    public int _read(int fd, long buffer, int count) {
        return Crt._read(fd, buffer, count);
    }

    @Override
    public int _write(int fd, long buffer, int count) {
        return Crt._write(fd, buffer, count);
    }

    @Override
    public int _close(int fd) {
        return Crt._close(fd);
    }

    @Override
    public long _get_osfhandle(int fd) {
        return Crt._get_osfhandle(fd);
    }

    @Override
    public int _getmaxstdio() {
        return Crt._getmaxstdio();
    }

    @Override
    public byte[] strerror(int errnum) {
        return JnaBackend.cString(Crt.strerror(errnum));
    }

    @Override
    public int GetCurrentThreadId() {
        return Kernel32.GetCurrentThreadId();
    }

    @Override
    public long OpenThread(int desiredAccess, boolean inheritHandle, int threadId) {
        return Kernel32.OpenThread(desiredAccess, inheritHandle, threadId);
    }

    @Override
    public boolean CancelSynchronousIo(long thread) {
        return Kernel32.CancelSynchronousIo(thread);
    }

    @Override
    public boolean CloseHandle(long handle) {
        return Kernel32.CloseHandle(handle);
    }

    @Override
    public int GetFileType(long file) {
        return Kernel32.GetFileType(file);
    }

    @Override
    public boolean SetHandleInformation(long handle, int mask, int flags) {
        return Kernel32.SetHandleInformation(handle, mask, flags);
    }

    @Override
    public boolean GetNamedPipeInfo(long pipe, long flags, long outBufferSize, long inBufferSize, long maxInstances) {
        return Kernel32.GetNamedPipeInfo(pipe, flags, outBufferSize, inBufferSize, maxInstances);
    }

    @Override
    public int lastError() {
        // JNA saves the OS's last error right after every native call, per thread: "This corresponds to
        // GetLastError() on Windows" (Native.getLastError's documentation).
        return Native.getLastError();
    }
}
