"""Assessments' pure rules: which questions an attempt draws and in what order, what a
question shows an officer (never its answer), and how an answer is graded. No database."""

from __future__ import annotations

import random
import re

CHOICE = ("Single choice", "Multiple choice")


def lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _norm(text) -> str:
    return re.sub(r"\s+", " ", str(text or "")).strip().casefold()


def options_of(question: dict) -> list[str]:
    if question.get("kind") == "True/False":
        return ["True", "False"]
    return lines(question.get("options")) if question.get("kind") in CHOICE else []


def problems(question: dict) -> list[str]:
    """What is wrong with a question as written (empty: nothing)."""
    kind, answer = question.get("kind"), question.get("answer")
    options = options_of(question)
    if kind in CHOICE:
        if len(options) < 2:
            return ["a choice needs at least two options, one a line."]
        wanted = lines(answer)
        missing = [a for a in wanted if _norm(a) not in {_norm(o) for o in options}]
        if missing:
            return [f"the correct answer {missing[0]!r} is not one of the options."]
        if kind == "Single choice" and len(wanted) != 1:
            return ["a single choice has exactly one correct option."]
    elif kind == "True/False" and _norm(answer) not in ("true", "false"):
        return ["the correct answer of a true/false question is True or False."]
    elif kind == "Number":
        try:
            float(str(answer).strip())
        except ValueError:
            return [f"the correct answer {answer!r} is not a number."]
    return []


def draw(questions: list[dict], count: int, shuffle: bool, rng: random.Random) -> list[dict]:
    """The questions of one attempt: ``count`` of them at random (0: all), by section, each
    with its options' order. Returns [{"q": index in the bank, "options": [option indexes]}]."""
    indexes = list(range(len(questions)))
    if count and count < len(indexes):
        indexes = sorted(rng.sample(indexes, count))
    if shuffle:
        rng.shuffle(indexes)
    sections: dict[str, list[int]] = {}
    for i in indexes:  # sections stay together, in the order they first appear in the bank
        sections.setdefault(questions[i].get("section") or "", []).append(i)
    order = sorted(sections, key=lambda s: min(j for j, q in enumerate(questions) if (q.get("section") or "") == s))
    drawn = []
    for section in order:
        for i in sections[section]:
            n = len(options_of(questions[i]))
            positions = list(range(n))
            if shuffle and questions[i].get("kind") in CHOICE:
                rng.shuffle(positions)
            drawn.append({"q": i, "options": positions})
    return drawn


def shown(questions: list[dict], drawn: list[dict]) -> list[dict]:
    """The attempt's questions as the officer sees them: no answer, no tolerance."""
    out = []
    for n, d in enumerate(drawn, 1):
        q = questions[d["q"]]
        options = options_of(q)
        out.append(
            {
                "id": str(d["q"]),
                "number": n,
                "section": q.get("section") or "",
                "kind": q.get("kind"),
                "question": q.get("question"),
                "options": [options[i] for i in d["options"]] if options else [],
                "marks": int(q.get("marks") or 1),
            }
        )
    return out


def correct(question: dict, given) -> bool:
    kind, answer = question.get("kind"), question.get("answer")
    if given is None:
        return False
    if kind == "Single choice" or kind == "True/False":
        return isinstance(given, str) and _norm(given) == _norm(answer)
    if kind == "Multiple choice":
        picked = given if isinstance(given, list) else [given]
        return all(isinstance(p, str) for p in picked) and {_norm(p) for p in picked} == {_norm(a) for a in lines(answer)}
    if kind == "Number":
        try:
            value = float(str(given).strip().replace(",", ""))
            return abs(value - float(str(answer).strip())) <= float(question.get("tolerance") or 0)
        except ValueError:
            return False
    if kind == "Short text":
        return isinstance(given, str) and _norm(given) in {_norm(a) for a in lines(answer)}
    return False


def grade(questions: list[dict], drawn: list[dict], answers: dict) -> dict:
    """Score, maximum, percent and each question's result, for ``answers`` ({id: answer})."""
    score = total = 0
    results = []
    for d in drawn:
        q = questions[d["q"]]
        marks = int(q.get("marks") or 1)
        right = correct(q, answers.get(str(d["q"])))
        total += marks
        score += marks if right else 0
        results.append({"id": str(d["q"]), "correct": right, "answer": q.get("answer")})
    percent = round(100 * score / total, 1) if total else 0.0
    return {"score": score, "max_score": total, "percent": percent, "results": results}
