"""File storage behind one interface; local disk today, an S3-compatible store can be added."""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import current_app


class Storage(Protocol):
    def save(self, data: bytes, suffix: str = "") -> str: ...
    def read(self, key: str) -> bytes: ...
    def open(self, key: str) -> BinaryIO: ...
    def delete(self, key: str) -> None: ...


class LocalStorage:
    """Files on local disk, two levels of shards, written atomically."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not key or "/" in key or "\\" in key or key.startswith("."):
            raise ValueError("invalid storage key")
        return self.root / key[:2] / key[2:4] / key

    def save(self, data: bytes, suffix: str = "") -> str:
        key = secrets.token_hex(16) + suffix
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".part")
        tmp.write_bytes(data)
        os.replace(tmp, path)
        return key

    def read(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def open(self, key: str) -> BinaryIO:
        """The file to read in chunks (a download sent without holding it in memory)."""
        return self._path(key).open("rb")

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


def get_storage() -> Storage:
    storage = current_app.extensions.get("storage")
    if storage is None:
        storage = current_app.extensions["storage"] = LocalStorage(current_app.config["STORAGE_DIR"])
    return storage
