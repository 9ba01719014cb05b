"""A child process that draws map images: `python -m mapserver.drawing`.

It says READY, then reads the pickled keyword arguments of image.render_map_image from
stdin and writes the pickled answer, (True, bytes) or (False, exception), to stdout,
each message prefixed by its length, until stdin closes. It runs at a lower priority
than its parent, so a server's serving threads get the CPU before its drawings (see
web/renderer.py).
"""

from __future__ import annotations

import os
import pickle
import struct
import sys
from typing import BinaryIO

NICENESS = 10  # added to the drawing process's; serving comes first
_LENGTH = struct.Struct("!Q")
READY = "ready"  # the child's first message, once it is niced and has imported matplotlib


def send(stream: BinaryIO, value: object) -> None:
    """Write one length-prefixed pickled message."""
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_LENGTH.pack(len(data)) + data)
    stream.flush()


def receive(stream: BinaryIO) -> object:
    """Read one message written by send(); EOFError if the stream ends first."""
    header = stream.read(_LENGTH.size)
    if len(header) < _LENGTH.size:
        raise EOFError("the other end closed the pipe")
    (size,) = _LENGTH.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("the other end closed the pipe mid-message")
    return pickle.loads(data)


def main() -> None:
    """Draw what the parent asks, until it closes the pipe."""
    os.nice(NICENESS)
    import matplotlib.backends.backend_agg  # noqa: F401  (so the first drawing is quick)

    from . import image

    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # anything printed must not corrupt the pipe
    send(stdout, READY)
    while True:
        try:
            arguments = receive(stdin)
        except EOFError:
            return
        try:
            answer = (True, image.render_map_image(**arguments))
        except Exception as error:  # the parent raises it in the request
            answer = (False, error)
        send(stdout, answer)


if __name__ == "__main__":
    main()
