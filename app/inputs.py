"""Bounds on what a caller may send: JSON bodies, filters, field lists, patterns.

Everything a request carries is parsed here, before the engine sees it, so that no input can
make the server work without end or answer 500: a body or a parameter that is too large, too
deep, not JSON, or holds text that cannot be stored (a lone UTF-16 surrogate) is refused with
a ValidationError (400) naming the parameter and the reason.
"""

from __future__ import annotations

import json

from app.errors import ValidationError

MAX_BODY_BYTES = 2 * 2**20  # a JSON request body (uploads have their own limit)
MAX_FORM_BYTES = 8 * 2**20  # an admin form's text fields, all together
MAX_PARAM_CHARS = 20_000  # a JSON query parameter (filters, fields)
MAX_DEPTH = 16  # nesting of objects and lists in a body
MAX_PARAM_DEPTH = 4  # nesting in filters: [[field, "in", [values]]]
MAX_CONDITIONS = 50  # filters in one list
MAX_VALUES = 1000  # values of one "in" filter
MAX_FIELDS = 100  # names in ``fields``
MAX_PATTERN = 200  # characters of a like pattern or a search text
MAX_TEXT = 1_000_000  # characters of any one text in a body


def _bad(parameter: str, reason: str) -> ValidationError:
    return ValidationError(f"{parameter}: {reason}", errors={parameter: [reason]})


def load_json(text, parameter: str, *, max_chars: int = MAX_PARAM_CHARS, max_depth: int = MAX_PARAM_DEPTH):
    """Parse a JSON parameter (or body), refusing what is too long, too deep or not JSON."""
    if isinstance(text, bytes):
        if len(text) > max_chars:
            raise _bad(parameter, f"is {len(text):,} bytes; at most {max_chars:,} are accepted")
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise _bad(parameter, "is not UTF-8 text") from None
    if len(text) > max_chars:
        raise _bad(parameter, f"is {len(text):,} characters; at most {max_chars:,} are accepted")
    if _depth_of_text(text) > max_depth:
        raise _bad(parameter, f"is nested more than {max_depth} levels deep")
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise _bad(parameter, f"is not valid JSON ({str(exc).split(':')[0]})") from None
    check_value(value, parameter, max_depth=max_depth)
    return value


def _depth_of_text(text: str) -> int:
    """How deep brackets nest in a JSON text, counted without parsing it (strings skipped), so
    that a body nested 100,000 deep costs one pass and no recursion."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
        elif ch in "]}":
            depth -= 1
    return deepest


def check_value(value, parameter: str, *, max_depth: int = MAX_DEPTH, _depth: int = 0) -> None:
    """Refuse texts that cannot be stored and nesting beyond ``max_depth``."""
    if _depth > max_depth:
        raise _bad(parameter, f"is nested more than {max_depth} levels deep")
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise _bad(parameter, f"holds a text of {len(value):,} characters; at most {MAX_TEXT:,} are accepted")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise _bad(parameter, "holds text that is not valid Unicode (a lone surrogate such as \\ud800)") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            check_value(key, parameter, max_depth=max_depth, _depth=_depth + 1)
            check_value(item, parameter, max_depth=max_depth, _depth=_depth + 1)
    elif isinstance(value, list):
        for item in value:
            check_value(item, parameter, max_depth=max_depth, _depth=_depth + 1)


def body(raw: bytes, *, required: bool = True) -> dict:
    """A request's JSON body: an object, within the bounds above (empty: ``{}`` unless required)."""
    if not raw or not raw.strip():
        if required:
            raise _bad("body", "expected a JSON object")
        return {}
    value = load_json(raw, "body", max_chars=MAX_BODY_BYTES, max_depth=MAX_DEPTH)
    if not isinstance(value, dict):
        raise _bad("body", "expected a JSON object")
    return value


def field_list(fields, parameter: str = "fields") -> list[str]:
    """``fields`` as a JSON list or comma-separated names: at most MAX_FIELDS texts."""
    if isinstance(fields, str):
        fields = load_json(fields, parameter) if fields.lstrip().startswith("[") else [f.strip() for f in fields.split(",")]
    if not isinstance(fields, list) or not all(isinstance(f, str) and f for f in fields):
        raise _bad(parameter, "must be a list of field names")
    if len(fields) > MAX_FIELDS:
        raise _bad(parameter, f"names {len(fields)} fields; at most {MAX_FIELDS} are accepted")
    return fields


def pattern(text, parameter: str) -> str:
    text = "" if text is None else str(text)
    if len(text) > MAX_PATTERN:
        raise _bad(parameter, f"is {len(text)} characters; at most {MAX_PATTERN} are accepted")
    return text
