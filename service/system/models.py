"""The public shapes of the service itself: health, readiness and the vocabulary."""

from __future__ import annotations

from pydantic import BaseModel

from service.accounts.models import ROLES
from service.actors.models import ACTOR_KINDS
from service.items import vocabulary
from service.items.vocabulary import KindCode, Outcome, Phase


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    database: bool
    migrations_at_head: bool


class VocabularyStatus(BaseModel):
    code: str
    label: str
    phase: Phase
    outcome: Outcome


class VocabularyKind(BaseModel):
    code: KindCode
    label: str
    plural: str
    initial_status: str
    statuses: list[VocabularyStatus]


class CodeLabel(BaseModel):
    code: str
    label: str


class Vocabulary(BaseModel):
    """Kinds, statuses, labels and phases, actor kinds and roles: the words forms and reports
    use, served from the tables that define them."""

    phases: list[CodeLabel]
    outcomes: list[CodeLabel]
    kinds: list[VocabularyKind]
    actor_kinds: list[CodeLabel]
    roles: list[str]

    @classmethod
    def current(cls) -> Vocabulary:
        return cls(
            phases=[CodeLabel(code=p, label=vocabulary.PHASE_LABELS[p]) for p in vocabulary.PHASES],
            outcomes=[
                CodeLabel(code=o, label=vocabulary.OUTCOME_LABELS[o]) for o in vocabulary.OUTCOMES
            ],
            kinds=[
                VocabularyKind(
                    code=kind.code,
                    label=kind.label,
                    plural=kind.plural,
                    initial_status=kind.initial_status,
                    statuses=[
                        VocabularyStatus(
                            code=s.code, label=s.label, phase=s.phase, outcome=s.outcome
                        )
                        for s in kind.statuses
                    ],
                )
                for kind in vocabulary.KINDS
            ],
            actor_kinds=[CodeLabel(code=c, label=label) for c, label in ACTOR_KINDS.items()],
            roles=list(ROLES),
        )
