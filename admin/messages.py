"""What the back office says when something is refused, in its readers' words: fields by
their labels, child rows by their table's label and row number, each message once."""

from __future__ import annotations

from app.errors import IgotError, PermissionDenied


def label(meta, fieldname: str) -> str:
    field = meta.get_field(fieldname) if meta is not None else None
    if field is not None and field.label:
        return field.label
    return fieldname.replace("_", " ").capitalize()


def field_lines(registry, meta, errors: dict) -> list[tuple[str, str, str]]:
    """(fieldname, label, message) for each error, child rows' errors as
    ("postings", "Postings, row 2, From Date", "...")."""
    out = []
    for fieldname, messages in (errors or {}).items():
        if isinstance(messages, dict):  # a child table's rows: {row: {field: [...]}}
            table = meta.get_field(fieldname) if meta is not None else None
            child = registry.get(table.options) if table is not None and table.options in registry.names else None
            for row, row_errors in messages.items():
                for child_field, child_messages in (row_errors or {}).items():
                    text = "; ".join(dict.fromkeys(str(m) for m in child_messages))
                    out.append((fieldname, f"{label(meta, fieldname)}, row {row}, {label(child, child_field)}", text))
        else:
            items = messages if isinstance(messages, list) else [messages]
            out.append((fieldname, label(meta, fieldname), "; ".join(dict.fromkeys(str(m) for m in items))))
    return out


def describe(registry, meta, exc: IgotError) -> str:
    """One message for ``exc``: by labels where it names fields; its own words otherwise."""
    if not exc.errors:
        return exc.message
    lines = field_lines(registry, meta, exc.errors)
    if isinstance(exc, PermissionDenied):
        return f"You may not change {', '.join(dict.fromkeys(lbl for _, lbl, _ in lines))} here."
    return " ".join(f"{lbl}: {_sentence(text)}" for _, lbl, text in lines)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."
