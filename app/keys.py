"""The installation's secret key, which signs session cookies and account links."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path


def site_secret(site) -> str:
    """The key that signs session cookies: ``IGOT_SECRET_KEY``, else the file ``secret_key`` in
    the data directory, readable by its owner only, made on first start (every web worker of
    one host shares it; several hosts share ``IGOT_SECRET_KEY``). Never in the database, where
    whoever reads the database could sign cookies with it. A key an earlier version kept in
    ``site_settings`` is removed."""
    site.db["site_settings"].delete_one({"_id": "secret_key"})
    if site.config.secret_key:
        return site.config.secret_key
    if site.store.kind == "mongomock":  # an in-memory store: the key lives as long as the site
        return site.__dict__.setdefault("_memory_secret", secrets.token_hex(32))
    path = Path(site.config.data_dir).absolute() / "secret_key"
    for _ in range(50):
        try:
            key = path.read_text().strip()
        except FileNotFoundError:
            key = None
        if key:
            return key
        if key is None:
            path.parent.mkdir(parents=True, exist_ok=True)
            draft = path.with_name(f".secret_key.{os.getpid()}.{secrets.token_hex(4)}")
            fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32) + "\n")
            try:
                os.link(draft, path)  # published whole, once: another worker's key wins a race
            except FileExistsError:
                pass
            finally:
                os.unlink(draft)
        else:
            time.sleep(0.01)
    raise RuntimeError(f"{path} is empty: remove it, or set IGOT_SECRET_KEY")
