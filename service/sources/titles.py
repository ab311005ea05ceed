"""A short plain title made from a suggested passage, for the editor to edit: what was claimed
(the said-clause and the quote marks left out, a pronoun given its speaker), cut at a clause or
a word to about 80 characters."""

from __future__ import annotations

import re

TITLE_LENGTH = 80
# A title a little over that is left whole rather than cut in the middle of a phrase.
TITLE_SLACK = 12
_QUOTE_MARKS = "\"'\u201c\u201d\u2018\u2019"
_EDGES = " ,;:" + _QUOTE_MARKS
# The verb that introduces what was claimed: "the council said (that) …", "…, he added".
_SAID = re.compile(
    r"\b(?:said|says|added|adds|stated|states|announced|announces|confirmed|told (?:the )?\w+)"
    r"(?:\s+that)?\b",
    re.I,
)
# Minutes: "RESOLVED: That the council …", "Agreed that …".
_RESOLVED = re.compile(r"^(?:resolved|agreed|decided)\s*[:,-]?\s*(?:that\s+)?", re.I)
_PRONOUN = re.compile(r"^(?:he|she|it|they|we)\s+", re.I)
# Where a long title may end: at a comma or a dash, else before a clause that only goes on.
_PAUSE = re.compile(r",\s|;\s|\s[\u2013\u2014-]\s")
_CLAUSE = re.compile(r"\s(?:and|which|who|that|so|because|after|while|in order to|to)\s")
# The second claim of a sentence, suggested on its own ("and would waive council tax ..."): its
# leading "and (that)", and the verb it opens with, which takes the subject of the claim before it.
_AND = re.compile(r"(?:and|but)\s+(?:also\s+)?(?:that\s+)?", re.I)
_VERB = re.compile(
    r"\b(?:will|would|should|must|shall|has|have|had|is|are|was|were|can|could|may|plans|intends)\b",
    re.I,
)
_SUBJECT_WORDS = 8
_SENTENCE_END = re.compile(r"[.!?]['\"\u2019\u201d]?\s+|\n")
# Neither cut leaves fewer characters than these.
_SHORTEST_AT_PAUSE = 30
_SHORTEST_AT_CLAUSE = 40


def title_from(passage: str, before: str = "") -> str:
    """The title of a passage; `before` is what its sentence says before it, for a clause that
    goes on from it ("..., and would waive council tax" takes the council as its subject)."""
    passage = " ".join(passage.split()).strip(_EDGES)
    joined = _AND.match(passage)
    if joined is not None:
        passage = passage[joined.end() :]
        subject = _subject(before) if _VERB.match(passage) else None
        if subject:
            passage = f"{subject} {passage}"
    text = _RESOLVED.sub("", passage, count=1)
    said = _SAID.search(text)
    if said is not None:
        text = _what_was_said(text[: said.start()], text[said.end() :]) or text
    text = text.strip(_EDGES).rstrip(".!?")
    if len(text) > TITLE_LENGTH + TITLE_SLACK:
        text = _cut(text)
    text = text.rstrip(" .;:,!?" + _QUOTE_MARKS)
    return text[:1].upper() + text[1:]


def sentence_before(text: str, at: int) -> str:
    """What the sentence holding text[at] says before it."""
    starts = [m.end() for m in _SENTENCE_END.finditer(text, max(0, at - 400), at)]
    return text[max([max(0, at - 400), *starts]) : at]


def _subject(before: str) -> str | None:
    """Who acts in the claim the words before a clause state: the words of its title before its
    first verb ("The council would pay £500 ..." gives "The council")."""
    if len(before.strip(_EDGES)) < 10:
        return None
    lead = title_from(before)
    verb = _VERB.search(lead)
    if verb is None or verb.start() == 0 or len(lead[: verb.start()].split()) > _SUBJECT_WORDS:
        return None
    return lead[: verb.start()].strip()


def _what_was_said(before: str, after: str) -> str | None:
    """The claim on either side of a said-verb, with its speaker for a leading pronoun; None
    when neither side is enough of a claim."""
    before, after = before.strip(_EDGES), after.strip(_EDGES)
    if len(after) >= 20 and len(after) >= len(before):  # "The PCC says he will fund …"
        return _speaker_for_pronoun(after, _last_part(before))
    if len(before) >= 20:  # "“We will publish it by June,” the council said."
        claim, _, speaker = _split_at_last(before)
        if len(claim) >= 20:
            return _speaker_for_pronoun(claim, speaker)
        return before
    return None


def _split_at_last(text: str) -> tuple[str, str, str]:
    """A claim and the speaker after it: split at its last comma or closing quote mark."""
    at = max(text.rfind(mark) for mark in (",", "\u201d", '"'))
    if at < 0:
        return text, "", ""
    return text[:at].strip(_EDGES), text[at], text[at + 1 :].strip(_EDGES)


def _last_part(text: str) -> str:
    """ "The council's leader, Councillor Priya Nair": the last of its comma-separated parts."""
    return text.rsplit(",", 1)[-1].strip(_EDGES)


def _speaker_for_pronoun(claim: str, speaker: str) -> str:
    if not speaker or len(speaker.split()) > 6:
        return claim
    return _PRONOUN.sub(speaker + " ", claim, count=1)


def _cut(text: str) -> str:
    pauses = [m.start() for m in _PAUSE.finditer(text[: TITLE_LENGTH + TITLE_SLACK + 1])]
    pauses = [at for at in pauses if at >= _SHORTEST_AT_PAUSE]
    if pauses:
        return text[: pauses[-1]]
    clauses = [m.start() for m in _CLAUSE.finditer(text[: TITLE_LENGTH + 1])]
    clauses = [at for at in clauses if at >= _SHORTEST_AT_CLAUSE]
    if clauses:
        return text[: clauses[-1]]
    return text[:TITLE_LENGTH].rsplit(" ", 1)[0]
