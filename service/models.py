"""Every table of the tracker, imported in one place for Alembic and the tests."""

from sqlmodel import SQLModel

from service.accounts.models import ApiToken, LoginAttempt, User
from service.actors.models import Actor
from service.audit.models import AuditEntry
from service.events.models import Event
from service.imports.models import ItemImport
from service.items.models import Item, ItemMaskedTitle, ItemTally
from service.links.models import ItemLink
from service.slugs.models import SlugRedirect
from service.sources.models import Source
from service.withheld.models import WithheldName

metadata = SQLModel.metadata

__all__ = [
    "Actor",
    "ApiToken",
    "AuditEntry",
    "Event",
    "Item",
    "ItemImport",
    "ItemLink",
    "ItemMaskedTitle",
    "ItemTally",
    "LoginAttempt",
    "SlugRedirect",
    "Source",
    "User",
    "WithheldName",
    "metadata",
]
