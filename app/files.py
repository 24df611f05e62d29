"""Attachments: stored in GridFS, on every store, by the one function the API and the admin
use. The caller must be allowed to upload (``Access.check_upload``)."""
from __future__ import annotations


def store(ctx, stream, filename: str, content_type: str | None) -> str:
    ctx.access.check_upload()
    file_id = ctx.site.store.files.put(stream, filename=filename,
                                       metadata={"content_type": content_type or "application/octet-stream", "owner": ctx.user})
    return str(file_id)
