package io.tokenpipe.internal.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.tokenpipe.internal.Msvcrt;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * {@link Msvcrt} through java.lang.foreign downcalls. Written and compiled, never run: only Linux runs here.
 *
 * <p>errno is read through msvcrt's own {@code _errno()}, not {@code Linker.Option.captureCallState("errno")}:
 * the JDK captures the errno of the C runtime it is linked with (the Universal CRT), while msvcrt.dll keeps a
 * separate per-thread errno in its own thread data. Reading it right after the failed call on the same thread
 * is safe because nothing else in the JVM calls into msvcrt.dll. Handles and pointers are {@code long}s
 * (Windows x64 passes both in the same 8-byte register or stack slot), BOOL and DWORD are ints.
 */
final class FfmMsvcrt implements Msvcrt {
    private static final MemoryLayout LONG = JAVA_LONG;

    FfmMsvcrt() {
        _getmaxstdio(); // loads msvcrt.dll now, so that a failure is the backend's, not a later call's
    }

    /** Loaded on first use of any of their functions; a process never unloads them (global arena). */
    private static final class Libraries {
        static final SymbolLookup MSVCRT = SymbolLookup.libraryLookup("msvcrt.dll", Arena.global());
        static final SymbolLookup KERNEL32 = SymbolLookup.libraryLookup("kernel32.dll", Arena.global());
    }

    private static MethodHandle crt(String name, MemoryLayout result, MemoryLayout... arguments) {
        return Downcalls.bind(Libraries.MSVCRT, name, FunctionDescriptor.of(result, arguments), false, -1);
    }

    private static MethodHandle kernel32(String name, MemoryLayout result, MemoryLayout... arguments) {
        return Downcalls.bind(Libraries.KERNEL32, name, FunctionDescriptor.of(result, arguments), false, -1);
    }

    /** int _pipe(int *pfds, unsigned int psize, int textmode); */
    private static final class Pipe {
        static final MethodHandle H = crt("_pipe", JAVA_INT, LONG, JAVA_INT, JAVA_INT);
    }

    /** int _read(int fd, void *buffer, unsigned int count); blocks. */
    private static final class Read {
        static final MethodHandle H = crt("_read", JAVA_INT, JAVA_INT, LONG, JAVA_INT);
    }

    /** int _write(int fd, const void *buffer, unsigned int count); blocks while the pipe is full. */
    private static final class Write {
        static final MethodHandle H = crt("_write", JAVA_INT, JAVA_INT, LONG, JAVA_INT);
    }

    /** int _close(int fd); */
    private static final class Close {
        static final MethodHandle H = crt("_close", JAVA_INT, JAVA_INT);
    }

    /** int *_errno(void); the calling thread's msvcrt errno. */
    private static final class ErrnoLocation {
        static final MethodHandle H = crt("_errno", ADDRESS);
    }

    /** intptr_t _get_osfhandle(int fd); */
    private static final class GetOsfhandle {
        static final MethodHandle H = crt("_get_osfhandle", LONG, JAVA_INT);
    }

    /** int _getmaxstdio(void); */
    private static final class Getmaxstdio {
        static final MethodHandle H = crt("_getmaxstdio", JAVA_INT);
    }

    /** char *strerror(int errnum); */
    private static final class Strerror {
        static final MethodHandle H = crt("strerror", ADDRESS, JAVA_INT);
    }

    /** DWORD GetCurrentThreadId(void); */
    private static final class CurrentThreadId {
        static final MethodHandle H = kernel32("GetCurrentThreadId", JAVA_INT);
    }

    /** HANDLE OpenThread(DWORD dwDesiredAccess, BOOL bInheritHandle, DWORD dwThreadId); */
    private static final class OpenThread {
        static final MethodHandle H = kernel32("OpenThread", LONG, JAVA_INT, JAVA_INT, JAVA_INT);
    }

    /** BOOL CancelSynchronousIo(HANDLE hThread); */
    private static final class CancelSynchronousIo {
        static final MethodHandle H = kernel32("CancelSynchronousIo", JAVA_INT, LONG);
    }

    /** BOOL CloseHandle(HANDLE hObject); */
    private static final class CloseHandle {
        static final MethodHandle H = kernel32("CloseHandle", JAVA_INT, LONG);
    }

    /** DWORD GetFileType(HANDLE hFile); */
    private static final class GetFileType {
        static final MethodHandle H = kernel32("GetFileType", JAVA_INT, LONG);
    }

    /** BOOL SetHandleInformation(HANDLE hObject, DWORD dwMask, DWORD dwFlags); GetLastError saved. */
    private static final class SetHandleInformation {
        static final MethodHandle H = kernel32SavingLastError("SetHandleInformation", JAVA_INT, LONG, JAVA_INT,
                JAVA_INT);
    }

    /**
     * BOOL GetNamedPipeInfo(HANDLE hNamedPipe, LPDWORD lpFlags, LPDWORD lpOutBufferSize, LPDWORD lpInBufferSize,
     * LPDWORD lpMaxInstances); GetLastError saved.
     */
    private static final class GetNamedPipeInfo {
        static final MethodHandle H = kernel32SavingLastError("GetNamedPipeInfo", JAVA_INT, LONG, LONG, LONG, LONG,
                LONG);
    }

    /**
     * GetLastError as the downcall itself saved it ({@code Linker.Option.captureCallState("GetLastError")}), before
     * the JVM can make a Win32 call of its own that changes it; one segment per thread, freed with it. Only Windows
     * has this state: the class is initialized by the first such call, which only Windows makes.
     */
    private static final class LastError {
        static final Linker.Option CAPTURE = Linker.Option.captureCallState("GetLastError");
        private static final StructLayout LAYOUT = Linker.Option.captureStateLayout();
        private static final long OFFSET = LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("GetLastError"));
        private static final ThreadLocal<MemorySegment> STATE =
                ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(LAYOUT));

        static MemorySegment state() {
            return STATE.get();
        }

        static int last() {
            return STATE.get().get(JAVA_INT, OFFSET);
        }
    }

    private static MethodHandle kernel32SavingLastError(String name, MemoryLayout result, MemoryLayout... arguments) {
        return Downcalls.bindCapturing(Libraries.KERNEL32, name, FunctionDescriptor.of(result, arguments),
                LastError.CAPTURE);
    }

    @Override
    public int errno() {
        try {
            MemorySegment location = (MemorySegment) ErrnoLocation.H.invokeExact();
            return location.reinterpret(Integer.BYTES).get(JAVA_INT, 0);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public int _pipe(long fds, int size, int textmode) {
        try {
            return (int) Pipe.H.invokeExact(fds, size, textmode);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public int _read(int fd, long buffer, int count) {
        try {
            return (int) Read.H.invokeExact(fd, buffer, count);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public int _write(int fd, long buffer, int count) {
        try {
            return (int) Write.H.invokeExact(fd, buffer, count);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public int _close(int fd) {
        try {
            return (int) Close.H.invokeExact(fd);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public long _get_osfhandle(int fd) {
        try {
            return (long) GetOsfhandle.H.invokeExact(fd);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public int _getmaxstdio() {
        try {
            return (int) Getmaxstdio.H.invokeExact();
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public byte[] strerror(int errnum) {
        try {
            return Downcalls.cString((MemorySegment) Strerror.H.invokeExact(errnum));
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public int GetCurrentThreadId() {
        try {
            return (int) CurrentThreadId.H.invokeExact();
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public long OpenThread(int desiredAccess, boolean inheritHandle, int threadId) {
        try {
            return (long) OpenThread.H.invokeExact(desiredAccess, inheritHandle ? 1 : 0, threadId);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public boolean CancelSynchronousIo(long thread) {
        try {
            return (int) CancelSynchronousIo.H.invokeExact(thread) != 0;
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public boolean CloseHandle(long handle) {
        try {
            return (int) CloseHandle.H.invokeExact(handle) != 0;
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public int GetFileType(long file) {
        try {
            return (int) GetFileType.H.invokeExact(file);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public boolean SetHandleInformation(long handle, int mask, int flags) {
        try {
            return (int) SetHandleInformation.H.invokeExact(LastError.state(), handle, mask, flags) != 0;
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public boolean GetNamedPipeInfo(long pipe, long flags, long outBufferSize, long inBufferSize, long maxInstances) {
        try {
            return (int) GetNamedPipeInfo.H.invokeExact(LastError.state(), pipe, flags, outBufferSize, inBufferSize,
                    maxInstances) != 0;
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public int lastError() {
        return LastError.last();
    }
}
