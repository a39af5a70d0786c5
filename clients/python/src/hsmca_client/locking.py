"""One writer at a time in a service's folder, across threads and processes (uvicorn workers share a folder)."""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from types import TracebackType
from typing import Any, Optional, Type


class FolderLock:
    """An exclusive lock on the folder (threads and processes); re-entrant within one thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.RLock()
        self._depth = 0
        self._handle: Optional[Any] = None

    def __enter__(self) -> "FolderLock":
        self._local.acquire()
        try:
            if self._depth == 0:
                self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                handle = self.path.open("a+b")
                try:
                    _lock_file(handle)
                except BaseException:
                    handle.close()
                    raise
                self._handle = handle
            self._depth += 1
        except BaseException:
            self._local.release()
            raise
        return self

    def __exit__(self, kind: Optional[Type[BaseException]], value: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        try:
            self._depth -= 1
            if self._depth == 0 and self._handle is not None:
                _unlock_file(self._handle)
                self._handle.close()
                self._handle = None
        finally:
            self._local.release()


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock_file(handle: Any) -> None:
        handle.seek(0)
        while True:
            try:
                msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)
                return
            except OSError:  # LK_LOCK gives up after 10 s; the holder may be renewing: keep waiting
                continue

    def _unlock_file(handle: Any) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _lock_file(handle: Any) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)

    def _unlock_file(handle: Any) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
