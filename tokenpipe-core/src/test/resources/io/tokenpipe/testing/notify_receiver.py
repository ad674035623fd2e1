# A NOTIFY_SOCKET receiver written with nothing but Python's socket module, as a peer for tests: it binds an
# AF_UNIX datagram socket where systemd would, and prints one line per datagram it receives:
#   datagram t=<CLOCK_MONOTONIC ns> kt=<kernel receive time ns> pid=<sender pid> fds=<descriptors passed>
#            flags=<recvmsg flags> hex=<bytes>
# t is read after recvmsg returns, so it includes this process's own scheduling delay; kt is the time the kernel
# queued the datagram on the socket (SO_TIMESTAMPNS: CLOCK_REALTIME, as struct timespec in an SCM_TIMESTAMPNS
# control message), which for an AF_UNIX datagram is taken in the sender's sendto(2). kt=-1 if none came.
# The sender's pid comes from SCM_CREDENTIALS (SO_PASSCRED), as systemd learns it for NotifyAccess=main.
# Descriptors passed with a message (systemd-notify's BARRIER=1 sends one) are closed at once, which is what
# releases the barrier's waiter, as systemd does.
#
# usage: python3 notify_receiver.py ADDRESS [HOLD_FILE]
#   ADDRESS    an absolute path, or @name for Linux's abstract namespace (as in NOTIFY_SOCKET)
#   HOLD_FILE  if given, nothing is read until this file exists: the socket's queue fills up meanwhile
import array
import os
import socket
import struct
import sys
import time

address = sys.argv[1]
hold = sys.argv[2] if len(sys.argv) > 2 else None

s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
# Python 3.11 has no constant for it: SO_TIMESTAMPNS (SO_TIMESTAMPNS_OLD, with a 64-bit time_t on x86-64) is 35 in
# Linux's include/uapi/asm-generic/socket.h, which x86 uses; SCM_TIMESTAMPNS is defined as SO_TIMESTAMPNS there.
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
SCM_TIMESTAMPNS = getattr(socket, "SCM_TIMESTAMPNS", SO_TIMESTAMPNS)
TIMESPEC = "@ll"  # struct timespec: tv_sec and tv_nsec, two native longs
s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
s.bind("\0" + address[1:] if address.startswith("@") else address)
print("bound", flush=True)

if hold:
    while not os.path.exists(hold):
        time.sleep(0.005)
    print("reading", flush=True)

ancillary = (socket.CMSG_SPACE(struct.calcsize("iII")) + socket.CMSG_SPACE(16 * array.array("i").itemsize)
             + socket.CMSG_SPACE(struct.calcsize(TIMESPEC)))
while True:
    message, controls, flags, _ = s.recvmsg(65536, ancillary)
    t = time.monotonic_ns()
    pid = -1
    kernel_time = -1
    fds = []
    for level, kind, data in controls:
        if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
            pid = struct.unpack("iII", data[:struct.calcsize("iII")])[0]
        elif level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            received = array.array("i")
            received.frombytes(data[:len(data) - len(data) % received.itemsize])
            fds.extend(received)
        elif level == socket.SOL_SOCKET and kind == SCM_TIMESTAMPNS:
            seconds, nanos = struct.unpack(TIMESPEC, data[:struct.calcsize(TIMESPEC)])
            kernel_time = seconds * 1_000_000_000 + nanos
    for fd in fds:
        os.close(fd)
    print("datagram t=%d kt=%d pid=%d fds=%d flags=%d hex=%s" % (t, kernel_time, pid, len(fds), flags, message.hex()),
          flush=True)
