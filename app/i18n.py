"""Text for people in their language, outside a web request: mails and notifications.

A message that is translated where it is shown is kept as ``words(msgid, **values)``: the
English message with ``%(name)s`` placeholders and its values. ``say(site, words, lang)``
gives it in a language (``en`` or ``hi``), from the same catalogues the portal uses (the
engine's ``app/translations`` and each module's ``translations`` folder); a value given as
``label(text)`` is translated too (a workflow state, an action). ``N_`` marks a message for
extraction where it is written.

A user's language is their profile's (``User.language``); English otherwise.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

LANGUAGES = ("en", "hi")
PROFILE = {"English": "en", "Hindi": "hi"}
ENGINE_TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def N_(message: str) -> str:
    return message


def words(msgid: str, **values) -> dict:
    """A message to translate where it is shown, with its values."""
    return {"msgid": msgid, "values": values}


def label(text, *, in_sentence: bool = False) -> dict:
    """A value that is itself translated (a state's or an action's name). ``in_sentence``: said
    inside a sentence, so its capitalised words are lower-cased ("the role map"), acronyms
    ("MDO") and scripts without case kept."""
    return {"label": str(text), **({"in_sentence": True} if in_sentence else {})}


def sentences(*parts) -> dict:
    """Several messages said one after the other (each ``words``, a label or a string); the
    empty ones left out."""
    return {"sentences": [p for p in parts if p]}


def _in_sentence(text: str) -> str:
    return " ".join(w if w.isupper() else w[:1].lower() + w[1:] for w in text.split(" "))


def folders(site) -> tuple[str, ...]:
    return (str(ENGINE_TRANSLATIONS),) + tuple(
        str(folder / "translations") for folder in site.modules.folders.values() if (folder / "translations").is_dir()
    )


@lru_cache(maxsize=16)
def _catalogue(dirs: tuple[str, ...], lang: str):
    from babel.support import NullTranslations, Translations

    merged = None
    for folder in dirs:
        found = Translations.load(folder, [lang], domain="messages")
        if isinstance(found, Translations):
            merged = found if merged is None else merged.merge(found)
    return merged or NullTranslations()


def translations(site, lang: str):
    """The gettext catalogue of ``lang`` (English: none, the messages are English)."""
    from babel.support import NullTranslations

    if lang not in LANGUAGES or lang == "en":
        return NullTranslations()
    return _catalogue(folders(site), lang)


def language_of(site, user: str | None) -> str:
    """The user's language: their profile's choice, else English."""
    if not user:
        return "en"
    record = site.unguarded("user").find_one({"_id": user}, {"language": 1}) or {}
    return PROFILE.get(record.get("language"), "en")


def say(site, text, lang: str) -> str:
    """``text`` (a plain string, ``words(...)`` or ``label(...)``) in ``lang``."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    if "sentences" in text:
        return " ".join(s for s in (say(site, part, lang) for part in text["sentences"]) if s)
    gettext = translations(site, lang).gettext
    if "label" in text:
        said = gettext(text["label"])
        return _in_sentence(said) if text.get("in_sentence") else said
    values = {k: say(site, v, lang) if isinstance(v, dict) else v for k, v in (text.get("values") or {}).items()}
    try:
        return gettext(text["msgid"]) % values
    except (KeyError, ValueError, TypeError):  # a translation that lost a placeholder: the English one
        return text["msgid"] % values
