"""An attached file as the back office shows it: name, size, kind, download and preview."""

from __future__ import annotations


def attachment_html(site, file_id, *, preview: bool = True):
    """An attached file as people open it: its name (the download link), size and kind, and a
    preview where the browser shows the kind safely (a PDF opens in a tab; an image or a video
    plays in the page). The link goes through the file's access check like any download."""
    from flask import url_for
    from markupsafe import Markup, escape

    from app import files

    if not file_id:
        return ""
    stored = files.info(site, file_id)
    if stored is None:
        return Markup('<span class="text-muted">The file is no longer stored.</span>')
    meta = stored.get("metadata") or {}
    content_type = meta.get("content_type") or ""
    url = url_for("api.download_file", file_id=str(file_id))
    kind = files.PREVIEWABLE.get(content_type)
    words = {"pdf": "PDF", "image": "image", "video": "video", "audio": "audio"}.get(kind) or (
        "SCORM package" if meta.get("kind") == "scorm" else (content_type.split("/")[-1].upper() or "file")
    )
    out = (
        f'<a class="attachment-link" href="{escape(url)}" download>{escape(stored["filename"])}</a> '
        f'<small class="text-muted">({escape(files.size_text(stored["length"]))}, {escape(words)})</small>'
    )
    if preview and kind == "pdf":
        out += f' <a class="ml-2" href="{escape(url)}?inline=1" target="_blank" rel="noopener">Open in the browser</a>'
    elif preview and kind == "image":
        out += f'<div class="mt-2"><img class="attachment-preview" src="{escape(url)}?inline=1" alt="{escape(stored["filename"])}"></div>'
    elif preview and kind in ("video", "audio"):
        out += f'<div class="mt-2"><{kind} class="attachment-preview" controls preload="metadata" src="{escape(url)}?inline=1"></{kind}></div>'
    return Markup(out)
