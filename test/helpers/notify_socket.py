"""A stand-in for systemd's notify socket: `python3 notify_socket.py PATH` binds an AF_UNIX
datagram socket at PATH, prints {"listening": PATH} once, then one JSON line per datagram:
{"data": <the text>, "fds": <file descriptors passed>, "pid": <sender pid or null>}.

File descriptors are closed as soon as they arrive: systemd-notify sends BARRIER=1 with a pipe
and waits until the receiver drops it, which is how it knows its message was processed.
"""
import array
import json
import os
import signal
import socket
import sys


def main() -> None:
    path = sys.argv[1]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(json.dumps({"listening": path}), flush=True)
    ancillary = socket.CMSG_SPACE(16 * array.array("i").itemsize) + socket.CMSG_SPACE(12)
    while True:
        data, anc, _flags, _addr = sock.recvmsg(65536, ancillary)
        fds = array.array("i")
        pid = None
        for level, kind, payload in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
            elif level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                pid = int.from_bytes(payload[0:4], sys.byteorder)
        for fd in fds:
            os.close(fd)
        print(json.dumps({"data": data.decode("utf-8", "replace"), "fds": len(fds), "pid": pid}), flush=True)


if __name__ == "__main__":
    main()
