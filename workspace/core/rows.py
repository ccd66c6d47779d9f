"""ORM objects from Core rows, for the few queries every request runs.

An ORM query costs several times the same query through Core (result metadata, row processors,
identity map). On the hottest paths (the signed-in account, a ballot's rights) the columns are
selected through Core and the objects filled the way SQLAlchemy's loader fills them: no constructor,
no attribute events, nothing marked changed, detached (as a closed session leaves what it loaded).
They can be added to a session later like any detached object; their relationships are not loaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import Column, inspect
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.instrumentation import manager_of_class

Model = TypeVar("Model")


class DetachedLoader(Generic[Model]):
    """The columns to select for `model`, and the object built from them."""

    def __init__(self, model: type[Model]) -> None:
        attributes = [attribute for attribute in inspect(model).column_attrs if not attribute.key.startswith("_")]
        self.keys = tuple(attribute.key for attribute in attributes)
        """Mapped attributes, without advanced-alchemy's insert sentinel (never read)."""
        self.columns: tuple[Column[Any], ...] = tuple(attribute.columns[0] for attribute in attributes)
        self._manager = manager_of_class(model)

    def build(self, values: Sequence[Any]) -> Model:
        """The object from the values of `columns`, in order (a row, or a slice of one)."""
        instance = self._manager.new_instance()
        instance.__dict__.update(zip(self.keys, values, strict=True))
        make_transient_to_detached(instance)
        return instance
