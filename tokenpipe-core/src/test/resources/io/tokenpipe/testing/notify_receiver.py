# A NOTIFY_SOCKET receiver written with nothing but Python's socket module, as a peer for tests: it binds an
# AF_UNIX datagram socket where systemd would, and prints one line per datagram it receives:
#   datagram t=<CLOCK_MONOTONIC ns> pid=<sender pid> fds=<descriptors passed> flags=<recvmsg flags> hex=<bytes>
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
s.bind("\0" + address[1:] if address.startswith("@") else address)
print("bound", flush=True)

if hold:
    while not os.path.exists(hold):
        time.sleep(0.005)
    print("reading", flush=True)

ancillary = socket.CMSG_SPACE(struct.calcsize("iII")) + socket.CMSG_SPACE(16 * array.array("i").itemsize)
while True:
    message, controls, flags, _ = s.recvmsg(65536, ancillary)
    t = time.monotonic_ns()
    pid = -1
    fds = []
    for level, kind, data in controls:
        if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
            pid = struct.unpack("iII", data[:struct.calcsize("iII")])[0]
        elif level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            received = array.array("i")
            received.frombytes(data[:len(data) - len(data) % received.itemsize])
            fds.extend(received)
    for fd in fds:
        os.close(fd)
    print("datagram t=%d pid=%d fds=%d flags=%d hex=%s" % (t, pid, len(fds), flags, message.hex()), flush=True)
