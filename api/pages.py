"""List pages in bulk: each nested list of a page in one plain query, and each
representation built by small functions compiled once per serializer.

A serializer per object costs a DRF field call per value and Django's prefetch a
queryset per parent; at 10,000 cases (a full sync reads some 150,000 objects) that
was most of a page's time. The output is the serializer's own, value for value
(tests/api/test_list_queries.py compares both for every resource); a serializer
this module does not understand (a source through a relation, a method field
other than ``external_id``) is simply left to DRF.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import F, Prefetch, QuerySet
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

from .lookups import IdIn

Row = dict[str, Any]
Convert = Callable[[Any], Any]


def _identity(value: Any) -> Any:
    return value


def _converter(field: serializers.Field, model_field: Any) -> Convert:
    """How the serializer field turns a non-null model value into JSON-ready data."""
    text_column = isinstance(model_field, models.CharField | models.TextField)
    if isinstance(field, serializers.ChoiceField):
        # A text column's value is shown as it is: DRF maps str(value) back to the
        # choice, which for text choices is the value itself (or the value, unknown).
        if text_column and all(type(v) is str for v in field.choice_strings_to_values.values()):
            return _identity
        return field.to_representation
    if isinstance(field, serializers.CharField):
        return _identity if text_column else str
    if isinstance(field, serializers.BooleanField | serializers.IntegerField):
        return _identity
    if isinstance(field, serializers.UUIDField) and field.uuid_format == "hex_verbose":
        return str
    if (
        isinstance(field, serializers.DateField)
        and getattr(field, "format", api_settings.DATE_FORMAT) == ISO_8601
    ):
        return datetime.date.isoformat
    return field.to_representation


def _per_page(field: serializers.Field) -> Callable[[], Convert] | None:
    """A converter that depends on the request, bound once per page: a timestamp is
    shown in the time zone of the request (DRF asks for it again for every value)."""
    if not isinstance(field, serializers.DateTimeField):
        return None
    if getattr(field, "format", api_settings.DATETIME_FORMAT) != ISO_8601:
        return None

    def bind() -> Convert:
        zone = field.timezone if hasattr(field, "timezone") else field.default_timezone()
        if not isinstance(zone, datetime.tzinfo):  # USE_TZ off: DRF's own way
            return field.to_representation

        def convert(value: datetime.datetime) -> str:
            if value.utcoffset() is None:  # naive: DRF makes it aware, or refuses it
                return field.to_representation(value)
            text = value.astimezone(zone).isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text

        return convert

    return bind


@dataclass(frozen=True)
class Column:
    name: str
    key: str  # attribute (instance) or key (values() row)
    convert: Convert
    # Only on instances: a related object's attribute (a slug), e.g. the region's code.
    slug: str = ""
    # Instead of ``convert``: the converter for this page (see ``_per_page``).
    per_page: Callable[[], Convert] | None = None


@dataclass(frozen=True)
class Nested:
    name: str
    representer: Representer
    relation: str  # the reverse relation's name on the parent model


class Representer:
    """The representation of one serializer's objects, compiled from its fields."""

    def __init__(self, serializer_class: type[serializers.Serializer]) -> None:
        model: type[models.Model] = serializer_class.Meta.model  # type: ignore[attr-defined]
        self.model = model
        self.columns: list[Column] = []
        self.nested: list[Nested] = []
        self.external_id = False
        self.order: list[str] = []
        for name, field in serializer_class().fields.items():
            self.order.append(name)
            if isinstance(field, serializers.SerializerMethodField):
                if name != "external_id":
                    raise NotImplementedError(name)
                self.external_id = True
            elif isinstance(field, serializers.ListSerializer):
                if not isinstance(field.child, serializers.Serializer):
                    raise NotImplementedError(name)
                child = type(field.child)
                self.nested.append(Nested(name, Representer(child), str(field.source)))
            else:
                self.columns.append(self._column(name, field))
        self._make_builder = self._compile()

    def _compile(self) -> Callable[..., Callable[..., Row]]:
        """The representation of one object as a single dict display, generated from the
        columns: ``make(*converters)`` gives ``build(obj, get, pk, ids, *nested)``.

        A loop over the columns for every value cost more than all the other Python of
        a page together (a page of 500 plan versions holds some 2,500 interventions
        of ten fields each). Only names from this module and the serializer's own field
        names (as string literals) go into the source."""
        converters = [f"c{i}" for i in range(len(self.columns))]
        nested = [f"n{i}" for i in range(len(self.nested))]
        by_name = {c.name: (i, c) for i, c in enumerate(self.columns)}
        nested_names = {n.name: f"n{i}" for i, n in enumerate(self.nested)}
        items = []
        for name in self.order:
            if name in nested_names:
                value = f"{nested_names[name]}.get(pk, [])"
            elif name not in by_name:  # external_id, the only method field taken
                value = "ids.get(pk)"
            else:
                i, column = by_name[name]
                if column.slug:
                    value = (
                        f"None if (r := getattr(obj, {column.key!r})) is None "
                        f"else getattr(r, {column.slug!r})"
                    )
                elif column.convert is _identity and column.per_page is None:
                    value = f"get({column.key!r})"
                else:
                    value = f"None if (v := get({column.key!r})) is None else c{i}(v)"
            items.append(f"        {name!r}: {value},")
        source = "\n".join(
            [
                f"def make({', '.join(converters)}):",
                f"  def build(obj, get, pk, ids, {', '.join(nested)}):",
                "    return {",
                *items,
                "    }",
                "  return build",
            ]
        )
        namespace: dict[str, Any] = {}
        code = compile(source, f"<representation of {self.model._meta.label}>", "exec")
        exec(code, namespace)  # noqa: S102  (source built above from field names)
        return namespace["make"]

    def _column(self, name: str, field: serializers.Field) -> Column:
        source = field.source
        if not isinstance(source, str) or not source or "." in source or source == "*":
            raise NotImplementedError(name)
        model_field = self.model._meta.get_field(source)
        if model_field.many_to_one or model_field.one_to_one:
            if isinstance(field, serializers.SlugRelatedField):
                return Column(name, source, _identity, slug=field.slug_field)
            if not isinstance(field, serializers.PrimaryKeyRelatedField):
                raise NotImplementedError(name)
            return Column(name, model_field.attname, _identity)  # type: ignore[union-attr]
        if model_field.is_relation:
            raise NotImplementedError(name)
        return Column(name, source, _converter(field, model_field), per_page=_per_page(field))

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]

    # --- building -------------------------------------------------------------------

    def rows(
        self,
        objects: Sequence[Any],
        *,
        prefetches: dict[str, QuerySet],
        external_ids: dict[int, str] | None = None,
    ) -> list[Row]:
        """Representations of ``objects`` (model instances, or values() rows for
        nested lists), with every nested list loaded in one query per field."""
        if not objects:
            return []
        pks = [self._pk(o) for o in objects]
        children = [
            n.representer.children_of(self.model, n.relation, pks, prefetches) for n in self.nested
        ]
        build = self._make_builder(
            *[c.per_page() if c.per_page else c.convert for c in self.columns]
        )
        ids = external_ids or {}
        if isinstance(objects[0], dict):
            return [build(o, o.get, pk, ids, *children) for o, pk in zip(objects, pks, strict=True)]
        return [
            build(o, o.__dict__.get, pk, ids, *children) for o, pk in zip(objects, pks, strict=True)
        ]

    def _pk(self, obj: Any) -> Any:
        return obj["id"] if isinstance(obj, dict) else obj.pk

    def children_of(
        self,
        parent: type[models.Model],
        relation: str,
        parent_ids: list[Any],
        prefetches: dict[str, QuerySet],
    ) -> dict[Any, list[Row]]:
        """{parent id: [child representation]} in the prefetch's order, one query."""
        reverse = parent._meta.get_field(relation)
        fk = reverse.field  # type: ignore[union-attr]
        queryset = prefetches.get(relation)
        if queryset is None:
            queryset = fk.model._default_manager.order_by("pk")
        keys = list(dict.fromkeys([*self.keys, "id", fk.attname]))
        found = list(queryset.filter(IdIn(F(fk.attname), parent_ids)).values(*keys))
        grouped: dict[Any, list[Row]] = defaultdict(list)
        for row, representation in zip(found, self.rows(found, prefetches=prefetches), strict=True):
            grouped[row[fk.attname]].append(representation)
        return grouped


def prefetch_querysets(queryset: QuerySet) -> dict[str, QuerySet]:
    """The nested lists' querysets a viewset declared as ``Prefetch(..., queryset=...)``."""
    return {
        p.prefetch_through: p.queryset
        for p in queryset._prefetch_related_lookups  # type: ignore[attr-defined]
        if isinstance(p, Prefetch) and p.queryset is not None
    }


_compiled: dict[type, Representer | None] = {}


def representer_for(serializer_class: type[serializers.BaseSerializer]) -> Representer | None:
    """The compiled representer, or None when the serializer is left to DRF."""
    if serializer_class not in _compiled:
        if not issubclass(serializer_class, serializers.Serializer):
            _compiled[serializer_class] = None
            return None
        try:
            _compiled[serializer_class] = Representer(serializer_class)
        except (NotImplementedError, AttributeError, FieldDoesNotExist):
            _compiled[serializer_class] = None
    return _compiled[serializer_class]
