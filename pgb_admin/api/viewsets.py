"""The base of every API viewset: rows come from the model's ``visible_to(user)`` (anything
else is a 404), a write to a row the user may only look at is a 403 before its body is read,
and writes go through the services that pages, commands and tasks use too."""

from collections import Counter
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.http import Http404

from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from pgb_admin.accounts.scoping import ReadOnlyAccess
from pgb_admin.audit.events import holder_of, log_read, log_reads, log_refused
from pgb_admin.audit.models import Action
from pgb_admin.figures.models import FigureLookup


class ScopedViewSet(viewsets.GenericViewSet):
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    #: the selector that gives the rows the user may see, e.g. ``holder_list``
    selector: Callable[..., QuerySet[Any]] | None = None
    #: the serializer that writes the response for a row
    serializer_class: type[BaseSerializer[Any]] | None = None

    def get_queryset(self) -> QuerySet[Any]:
        selector = type(self).selector
        if selector is None:
            raise ImproperlyConfigured(f"{type(self).__name__} has no selector")
        return selector(user=self.request.user)

    def get_serializer_context(self):
        # one lookup of dated figures for all rows of a response
        return {**super().get_serializer_context(), "figures": FigureLookup()}

    def get_object(self):
        obj = super().get_object()
        if self.request.method not in permissions.SAFE_METHODS and not self._reads_only():
            self.check_editable(obj)
        return obj

    def check_editable(self, obj) -> None:
        editable = type(obj).objects.editable_by(self.request.user).filter(pk=obj.pk)
        if not editable.exists():
            raise ReadOnlyAccess

    def _reads_only(self) -> bool:
        handler = getattr(self, self.action or "", None)
        return getattr(handler, "reads_only", False)

    def read_input(self, serializer_class, *, data=None):
        """What the client sent, validated by ``serializer_class`` (400 with field errors)."""
        serializer = serializer_class(
            data=self.request.data if data is None else data,
            context=self.get_serializer_context(),
        )
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def respond(self, obj, status: int = 200) -> Response:
        """The response for ``obj`` as a list row shows it (read again through the
        selector, so it carries the same annotations)."""
        obj = self.get_queryset().get(pk=obj.pk)
        return Response(self.get_serializer(obj).data, status=status)


# query parameters that page or order a list without narrowing it down
_NOT_A_SEARCH = {"page", "page_size", "ordering", "format", "lang"}


class ListRetrieveMixin(ScopedViewSet):
    """GET of the list (paginated, filtered, ordered) and of one row. Reads of holder data
    are written to the access log: one row per holder on the page, with how many of their
    rows it showed. Data shared by several holders (a provider) counts for each holder the
    reader sees it with (``holder_counts_seen_by`` of its queryset). A holder asked for by id
    and refused (404) is logged refused."""

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        self._log_list(queryset, page)
        serializer = self.get_serializer(page, many=True)
        return self.get_paginated_response(serializer.data)

    def retrieve(self, request, *args, **kwargs):
        try:
            obj = self.get_object()
        except Http404:
            self._log_refused()
            raise
        seen_by = _holder_counts_seen_by(type(obj))
        if seen_by is not None:
            log_reads(
                user=request.user,
                action=Action.READ,
                what=obj._meta.label,
                holder_counts=seen_by(request.user, [obj.pk]),
                object_pk=obj.pk,
            )
        elif _holder_field(obj) is not None:
            log_read(user=request.user, what=obj._meta.label, holder_id=holder_of(obj), obj=obj)
        return Response(self.get_serializer(obj).data)

    def _log_list(self, queryset, page) -> None:
        model = queryset.model
        if not page:
            return
        pks = [row.pk for row in page]
        seen_by = _holder_counts_seen_by(model)
        field = getattr(type(queryset), "holder_field", None)
        if seen_by is not None:
            holder_counts = seen_by(self.request.user, pks)
        elif field is not None:
            holder_ids = _loaded_holder_ids(page, field)
            if holder_ids is None:
                holder_ids = model._default_manager.filter(pk__in=pks).values_list(field, flat=True)
            holder_counts = Counter(holder_ids)
        else:
            return
        searched = set(self.request.query_params) - _NOT_A_SEARCH
        log_reads(
            user=self.request.user,
            action=Action.SEARCH if searched else Action.LIST,
            what=model._meta.label,
            holder_counts=holder_counts,
        )

    def _log_refused(self) -> None:
        """A holder asked for by id (``/budget-holders/{id}/``) that the user may not see."""
        queryset = self.get_queryset()
        if getattr(type(queryset), "holder_field", None) != "pk":
            return  # no holder named: the id is of another kind of object
        holder_id = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, "")
        if str(holder_id).isdigit():
            log_refused(
                user=self.request.user, what=queryset.model._meta.label, holder_id=int(holder_id)
            )


class _NotLoaded(Exception):
    pass


def _loaded_holder_ids(rows, path: str) -> list[int | None] | None:
    """The holder of each row along ``path`` (``"agreement__holder_id"``) where the rows
    already hold it (the relations selected with them); None when one would need a query."""
    try:
        return [_follow_loaded(row, path.split("__")) for row in rows]
    except _NotLoaded:
        return None


def _follow_loaded(value, parts: list[str]):
    for part in parts[:-1]:
        field = value._meta.get_field(part)
        if not (field.many_to_one or field.one_to_one) or not field.is_cached(value):
            raise _NotLoaded
        value = getattr(value, part)
        if value is None:
            return None
    last = parts[-1]
    if last == "pk":
        return value.pk
    if last not in value.__dict__:  # deferred: reading it would be a query
        raise _NotLoaded
    return value.__dict__[last]


def _holder_field(obj) -> str | None:
    return getattr(type(obj).objects._queryset_class, "holder_field", None)


def _holder_counts_seen_by(model):
    """``holder_counts_seen_by(user, pks)`` of data shared by several holders, else None."""
    return getattr(model._default_manager.get_queryset(), "holder_counts_seen_by", None)


def collection_action(**kwargs):
    """A POST on a collection that is not a list of it: no filters, no pagination."""
    return action(
        detail=False, methods=["post"], filter_backends=[], pagination_class=None, **kwargs
    )
