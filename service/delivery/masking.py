"""The public masking: every value the public is shown passes through `public()` before it is
serialised, highlighted or kept, so that a withheld name never reaches the public by any channel
(JSON, CSV, Atom, pages, search, hashes, lengths or offsets).

`public()` walks a value: every string is masked (`service.masking`), models, dataclasses,
mappings and sequences are rebuilt around their masked parts. A model whose public shape derives
from the stored text in other ways (offsets into an archived text, its hash and length) says so
with `__public_fields__(masker)`, which gives those fields' public values (walked like the rest);
a container of rows with `__public__(masker, walk)`. Anything else is refused: an unknown object
in a public value is a bug to find, never a value to pass through unmasked.

The masker of a data version (the withheld names, and the sources and originals that hold one) is
made by the withheld-names domain (`install`, at start-up) and kept with that version.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from markupsafe import Markup
from pydantic import BaseModel
from sqlmodel import Session

from service.delivery.store import scope, store
from service.masking import Masker

T = TypeVar("T")
# A page's field whose value is the request's own (what the reader typed): shown as typed,
# never masked (masking a reader's own words would tell them that those words are withheld).
ECHO = {"echo": True}

_PLAIN = (bool, int, float, dt.date, dt.datetime, enum.Enum, bytes, type(None))
_loader: Callable[[Session], Masker] | None = None


def install(loader: Callable[[Session], Masker]) -> None:
    """The function that reads the masker of the data a session sees."""
    global _loader
    _loader = loader


def masker(session: Session, version: str) -> Masker:
    """The masker at this data version, read once per version and kept with it."""
    loader = _loader
    if loader is None:
        raise RuntimeError("no masker installed: create_app() installs it")
    where = scope(session.get_bind().engine.url, version)
    return store.value(where, "masker", lambda: loader(session))


def public(value: T, masker: Masker) -> T:
    """`value` as the public may read it."""
    if not masker:
        return value
    return _walk(value, masker)  # type: ignore[no-any-return]


def _walk(value: Any, masker: Masker) -> Any:
    if isinstance(value, Markup):
        # HTML already rendered from masked values (a kept part of a page).
        return value
    if isinstance(value, str):
        return masker.text(value)
    if isinstance(value, _PLAIN):
        return value
    custom = getattr(value, "__public__", None)
    if custom is not None:
        return custom(masker, lambda inner: _walk(inner, masker))
    if isinstance(value, BaseModel):
        return _model(value, masker)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: _walk(getattr(value, f.name), masker)
            for f in dataclasses.fields(value)
            if f.init and not f.metadata.get("echo")
        }
        return dataclasses.replace(value, **changes)
    if isinstance(value, Mapping):
        return {k: _walk(v, masker) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_walk(v, masker) for v in value)
    if isinstance(value, set | frozenset):
        return type(value)(_walk(v, masker) for v in value)
    raise TypeError(f"{type(value).__name__} is not a public value: mask it before it is shown")


def _model(value: BaseModel, masker: Masker) -> BaseModel:
    table = getattr(type(value), "__table__", None)
    if table is not None:
        raise TypeError(f"{type(value).__name__} is a table row, not a public value")
    own: Mapping[str, Any] = {}
    derived = getattr(value, "__public_fields__", None)
    if derived is not None:
        own = derived(masker)
    # What the model gives for itself is walked too (its other strings still need masking;
    # masking a masked text again changes nothing).
    fields = {
        name: _walk(own.get(name, field_value), masker)
        for name, field_value in value.__dict__.items()
    }
    return type(value).model_construct(_fields_set=value.model_fields_set, **fields)
