"""The render worker's wire: length-prefixed frames on a pipe, read with a deadline."""

from __future__ import annotations

import os
import select
import struct
import time
from typing import IO

MAX_FRAME = 256 * 1024 * 1024


def write_frame(stream: IO[bytes], payload: bytes) -> None:
    stream.write(struct.pack(">I", len(payload)))
    stream.write(payload)
    stream.flush()


def read_exact(stream: IO[bytes], n: int) -> bytes | None:
    chunks, got = [], 0
    while got < n:
        chunk = stream.read(n - got)
        if not chunk:
            return None
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def read_frame(stream: IO[bytes]) -> bytes | None:
    head = read_exact(stream, 4)
    if head is None:
        return None
    (n,) = struct.unpack(">I", head)
    if n > MAX_FRAME:
        raise ValueError(f"frame of {n} bytes is too large")
    return read_exact(stream, n)


class TimedReader:
    """Reads frames from a pipe with a deadline (select on the file descriptor)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def read_exact(self, n: int, deadline: float) -> bytes:
        chunks, got = [], 0
        while got < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            ready, _, _ = select.select([self.fd], [], [], left)
            if not ready:
                raise TimeoutError
            chunk = os.read(self.fd, min(n - got, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def read_frame(self, deadline: float) -> bytes:
        (n,) = struct.unpack(">I", self.read_exact(4, deadline))
        if n > MAX_FRAME:
            raise EOFError
        return self.read_exact(n, deadline)
