"""Queries compiled once per process.

Django builds and compiles a queryset's SQL on every call. For the queries every case
page asks (who may see the case, and on what ground: several EXISTS subqueries) that
costs more than running them: about ten milliseconds of Python against a fraction of one
in the database. A ``CompiledQuery`` builds its queryset once, with two sets of stand-in
arguments, finds where each argument lands among the SQL's parameters, and runs every
later call as the same SQL with the real arguments in those places.

On PostgreSQL the SQL is also prepared once per connection (kernel/prepared.py), so
that PostgreSQL does not plan it again at every call either.

The queryset stays the one statement of the rule (``build``); this only skips
rebuilding it. It holds only for a query whose shape does not depend on its
arguments' values (no ``None`` that turns ``=`` into ``IS NULL``, no list whose length
shapes an ``IN``): the compilation checks that both stand-in sets give the same SQL and
that each parameter is explained by exactly one argument, and refuses otherwise.
A constant selected as a value (``Value(True)``) is a parameter too, which PostgreSQL
prepares as text: cast it (``Cast(Value(True), BooleanField())``).
"""

from __future__ import annotations

import datetime
import itertools
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, NamedTuple, TypeVar

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]
from django.utils import timezone

from .prepared import execute_text

M = TypeVar("M", bound=Model)
# Each compiled query's prepared statement has a name of its own in the process.
_serial = itertools.count(1)


class ShapeDependsOnValues(Exception):
    """The builder's SQL changes with its arguments: it cannot be compiled once."""


def _stand_ins(examples: Mapping[str, Any], offset: int) -> dict[str, Any]:
    """A distinct stand-in per argument, of the example's type; ``offset`` gives the
    second set."""
    stand_ins: dict[str, Any] = {}
    for index, (name, example) in enumerate(sorted(examples.items())):
        serial = 900_000_000 + 1_000 * offset + index
        if isinstance(example, Model):
            instance = example.__class__()  # a lazy proxy (request.user) passes its class on
            instance.pk = serial
            stand_ins[name] = instance
        elif isinstance(example, datetime.datetime):
            stand_ins[name] = datetime.datetime(
                1901 + offset, 1, 1, 3, 4, 5, tzinfo=datetime.UTC
            ) + datetime.timedelta(days=index)
        elif isinstance(example, datetime.date):
            stand_ins[name] = datetime.date(1901 + offset, 1, 1) + datetime.timedelta(days=index)
        elif isinstance(example, bool):
            raise TypeError(f"{name}: a boolean shapes a query; make two queries instead")
        elif isinstance(example, int):
            stand_ins[name] = serial
        elif isinstance(example, str):
            stand_ins[name] = f"stand-in-{serial}"
        else:
            raise TypeError(f"{name}: arguments of type {type(example).__name__} are not supported")
    return stand_ins


class _Compiled(NamedTuple, Generic[M]):
    sql: str
    params: list[Any]
    # Parameter index: the argument it takes.
    places: dict[int, str]
    model: type[M]
    # Django's conversions of the selected values, with the compiler they belong to:
    # none for most columns on PostgreSQL; dates and booleans on SQLite.
    compiler: Any
    converters: dict[int, Any]


class CompiledQuery(Generic[M]):
    """``build(**arguments)`` compiled once per process and database alias.

    ``objects(**arguments)`` gives the model instances (with the annotations as
    attributes), ``rows(**arguments)`` the rows as tuples in the select's order.
    """

    def __init__(self, build: Callable[..., QuerySet[M]], *, using: str = "default") -> None:
        self._build = build
        self._using = using
        self._lock = threading.Lock()
        self._compiled: _Compiled[M] | None = None
        self._statement_name = f"ipgar_compiled_{next(_serial)}"

    def __deepcopy__(self, memo: dict[int, Any]) -> CompiledQuery[M]:
        """Itself: one compilation serves the process, also where a form field or a
        django-filter filter that holds it is deep-copied for each form (a copy would
        compile and prepare the same statement again, and its lock cannot be copied)."""
        return self

    def _compile(self, examples: Mapping[str, Any]) -> _Compiled[M]:
        connection = connections[self._using]
        first, second = _stand_ins(examples, 0), _stand_ins(examples, 1)

        def sql_of(arguments: Mapping[str, Any]) -> tuple[str, tuple[Any, ...]]:
            return self._build(**arguments).query.get_compiler(self._using).as_sql()

        queryset = self._build(**first)
        model = queryset.model
        compiler = queryset.query.get_compiler(self._using)
        sql, params = compiler.as_sql()
        selected = [column for column, _sql, _alias in compiler.select[: compiler.col_count]]
        other_sql, other_params = sql_of(second)
        if sql != other_sql or len(params) != len(other_params):
            raise ShapeDependsOnValues("the SQL differs between two sets of arguments")
        places: dict[int, str] = {}
        for name in first:
            sql_k, params_k = sql_of({**first, name: second[name]})
            if sql_k != sql:
                raise ShapeDependsOnValues(f"{name} shapes the SQL")
            for index, (value, moved) in enumerate(zip(params, params_k, strict=True)):
                if value != moved:
                    if index in places:
                        raise ShapeDependsOnValues(f"parameter {index} follows two arguments")
                    places[index] = name
        for index, (value, moved) in enumerate(zip(params, other_params, strict=True)):
            if (value != moved) != (index in places):
                raise ShapeDependsOnValues(f"parameter {index} follows no single argument")
            if index in places and self._param(connection, first[places[index]]) != value:
                raise ShapeDependsOnValues(
                    f"{places[index]} reaches the SQL transformed; pass it as the query needs it"
                )
        return _Compiled(
            sql, list(params), places, model, compiler, compiler.get_converters(selected)
        )

    @staticmethod
    def _param(connection: Any, value: Any) -> Any:
        """The parameter Django passes for ``value`` compared with a column of its type."""
        if isinstance(value, Model):
            return value.pk
        if isinstance(value, datetime.datetime):
            return connection.ops.adapt_datetimefield_value(value)
        if isinstance(value, datetime.date):
            return connection.ops.adapt_datefield_value(value)
        return value

    def _statement(self, arguments: Mapping[str, Any]) -> tuple[str, list[Any], _Compiled[M]]:
        if self._compiled is None:
            with self._lock:
                if self._compiled is None:
                    self._compiled = self._compile(arguments)
        compiled = self._compiled
        connection = connections[self._using]
        values = list(compiled.params)
        for index, name in compiled.places.items():
            value = arguments[name]
            if isinstance(value, datetime.datetime) and timezone.is_naive(value):
                raise ValueError(f"{name}: a naive datetime")
            values[index] = self._param(connection, value)
        sql = compiled.sql
        return execute_text(connection, self._statement_name, sql) or sql, values, compiled

    def rows(self, **arguments: Any) -> Sequence[tuple[Any, ...]]:
        """The rows as the queryset's ``values_list`` gives them, when its names are in
        the select's order (model fields first, then annotations)."""
        return self._fetch(arguments)[0]

    def instances(self, **arguments: Any) -> list[M]:
        """The model instances as iterating the queryset gives them (Django's
        ModelIterable): its ``select_related`` relations filled in and its annotations
        set. (``raw()`` leaves the relations to a query each, and building its
        instances took a regisseur's membership 1.5 ms longer.)"""
        rows, compiled = self._fetch(arguments)
        compiler = compiled.compiler
        select, klass_info = compiler.select, compiler.klass_info
        first, last = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        init_list = [column.target.attname for column, _sql, _alias in select[first:last]]
        populators = get_related_populators(klass_info, select, self._using)
        annotations = compiler.annotation_col_map.items()
        found = []
        for row in rows:
            instance = compiled.model.from_db(self._using, init_list, row[first:last])
            for populator in populators:
                populator.populate(row, instance)
            for name, position in annotations:
                setattr(instance, name, row[position])
            found.append(instance)
        return found

    def _fetch(self, arguments: Mapping[str, Any]) -> tuple[Sequence[Any], _Compiled[M]]:
        sql, params, compiled = self._statement(arguments)
        with connections[self._using].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            converted = compiled.compiler.apply_converters(rows, compiled.converters)
            return [tuple(row) for row in converted], compiled
        return rows, compiled


# A list of more items than this is not compiled (a list's length is its shape).
LONGEST_LIST = 64


def _shape_of(value: Any) -> Any:
    """What of an argument shapes the SQL: being None, a boolean's value, a list's
    length; any other value goes in as a parameter."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, list | tuple):
        return ("list", len(value))
    return "value"


def _padded(items: Sequence[Any]) -> list[Any]:
    """``items`` with the last repeated up to the next power of two: the same answer
    from an ``IN (...)``, and few lengths, so few shapes to compile."""
    length = 1 << (len(items) - 1).bit_length()
    return [*items, *[items[-1]] * (length - len(items))]


class CompiledPerShape:
    """``build(**arguments)`` compiled once per process for each shape of its
    arguments (which are None, the value of each boolean, the length of each list),
    for a query whose SQL follows those and nothing else: a scope whose parts are
    optional, or the few regisseurs a user works for. Each shape is a ``CompiledQuery``
    of its own, a list's items its arguments. A list goes into the SQL as an
    ``IN (...)`` and nothing else: it is padded to a power of two (``_padded``). An
    empty list, or one of more than ``longest`` items, is built by the ORM every time."""

    def __init__(
        self,
        build: Callable[..., QuerySet[Any]],
        *,
        longest: int = LONGEST_LIST,
        using: str = "default",
    ) -> None:
        self._build = build
        self._longest = longest
        self._using = using
        self._queries: dict[tuple[tuple[str, Any], ...], CompiledQuery[Any]] = {}

    def rows(self, **arguments: Any) -> Sequence[tuple[Any, ...]]:
        """The rows of ``build(**arguments)``, as ``CompiledQuery.rows`` gives them."""
        compiled = self._compiled(arguments)
        if compiled is None:
            return [tuple(row) for row in self._build(**arguments).using(self._using)]
        query, values = compiled
        return query.rows(**values)

    def instances(self, **arguments: Any) -> list[Any]:
        """The model instances of ``build(**arguments)``, as ``CompiledQuery.instances``
        gives them."""
        compiled = self._compiled(arguments)
        if compiled is None:
            return list(self._build(**arguments).using(self._using))
        query, values = compiled
        return query.instances(**values)

    def _compiled(
        self, arguments: Mapping[str, Any]
    ) -> tuple[CompiledQuery[Any], dict[str, Any]] | None:
        """The compiled query of the arguments' shape and its arguments; None when the
        ORM is to build it (an empty or long list)."""
        lists = [value for value in arguments.values() if isinstance(value, list | tuple)]
        if any(not 0 < len(items) <= self._longest for items in lists):
            return None
        arguments = {
            name: _padded(value) if isinstance(value, list | tuple) else value
            for name, value in arguments.items()
        }
        shape = tuple(sorted((name, _shape_of(value)) for name, value in arguments.items()))
        query = self._queries.get(shape)
        if query is None:
            query = self._queries.setdefault(
                shape,
                CompiledQuery(
                    lambda **values: self._build(**_arguments(shape, values)), using=self._using
                ),
            )
        values: dict[str, Any] = {}
        for name, value in arguments.items():
            if isinstance(value, list):
                values.update((f"{name}__{index}", item) for index, item in enumerate(value))
            elif value is not None and not isinstance(value, bool):
                values[name] = value
        return query, values


def _arguments(shape: tuple[tuple[str, Any], ...], values: Mapping[str, Any]) -> dict[str, Any]:
    """The builder's arguments of one shape, from the compiled query's values."""
    arguments: dict[str, Any] = {}
    for name, kind in shape:
        if kind is None or isinstance(kind, bool):
            arguments[name] = kind
        elif kind == "value":
            arguments[name] = values[name]
        else:
            arguments[name] = [values[f"{name}__{index}"] for index in range(kind[1])]
    return arguments
