package io.tokenpipe.internal;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/** The Microsoft C runtime (msvcrt) and the few kernel32 calls a token pipe needs, JNA direct mapping. Untested. */
final class WindowsCrt {
    static final NativeLibrary MSVCRT = NativeLibrary.getInstance("msvcrt");

    static {
        Native.register(WindowsCrt.class, MSVCRT);
    }

    private WindowsCrt() {
    }

    static native int _pipe(long fds, int size, int textmode);

    static native int _read(int fd, long buffer, int count);

    static native int _write(int fd, long buffer, int count);

    static native int _close(int fd);

    static native long _errno();

    static native long _get_osfhandle(int fd);

    static native int _getmaxstdio();

    static native String strerror(int errnum);

    /** kernel32: waking a thread blocked in a synchronous pipe read, and inheritance of handles. */
    static final class Kernel32 {
        static {
            Native.register(Kernel32.class, NativeLibrary.getInstance("kernel32"));
        }

        private Kernel32() {
        }

        static native int GetCurrentThreadId();

        static native long OpenThread(int desiredAccess, boolean inheritHandle, int threadId);

        static native boolean CancelSynchronousIo(long thread);

        static native boolean CloseHandle(long handle);

        static native int GetFileType(long file);

        static native boolean SetHandleInformation(long handle, int mask, int flags);
    }
}
