"""The generic views refuse a page that forgets part of its declaration, loudly and when the
URLconf is imported (as_view()), naming what is missing, instead of answering a request with
a 500 (or, worse, with a page that skips a check)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.views.generic import (
    ActionView,
    ConfirmView,
    DeleteView,
    KeysetSource,
    ObjectDetailView,
    ObjectListView,
    ServiceFormView,
    SortColumn,
)
from keys.filters import KeyFilterSet
from keys.models import VerificationToken
from keys.tables import KeyTable


def declare(base, **attrs):
    return type("MisdeclaredView", (base,), attrs)


@pytest.mark.parametrize(
    ("base", "attrs", "says"),
    [
        (ObjectListView, {"model": VerificationToken, "filterset_class": KeyFilterSet}, "set table_class"),
        (ObjectListView, {"table_class": KeyTable}, "set model and set filterset_class"),
        (ObjectListView, {"source_class": KeysetSource, "table_class": KeyTable}, "define KeysetSource.decode()"),
        (
            ObjectListView,
            {
                "source_class": type(
                    "S",
                    (KeysetSource,),
                    {"queryset": lambda s: None, "decode": lambda s, t: None, "slice": lambda s, q, c: ([], None)},
                )
            },
            "set table_class or export_table_class",
        ),
        (
            ObjectListView,
            {
                "source_class": type("S", (KeysetSource,), {"queryset": None, "decode": None, "slice": None}),
                "table_class": KeyTable,
                "sort_columns": (SortColumn("name", "Name"),),
                "default_sort": "-spend",
            },
            "set default_sort to one of its sort_columns",
        ),
        (
            ObjectListView,
            {
                "model": VerificationToken,
                "table_class": KeyTable,
                "filterset_class": KeyFilterSet,
                "merged_filterset_classes": (KeyFilterSet,),
                "merged_order": ("-spend", "token"),
            },
            "set merged_order",
        ),
        (ObjectDetailView, {"load": lambda self: None}, "set template_name"),
        (ObjectDetailView, {"template_name": "keys/key_detail.html"}, "define load()"),
        (ServiceFormView, {"perform": lambda self, form: None}, "set form_class"),
        (ServiceFormView, {"form_class": object}, "define perform()"),
        (ActionView, {"perform": lambda self: None}, "define next_url()"),
        (ConfirmView, {"perform": lambda self: None, "next_url": lambda self: "/"}, "define confirmation()"),
        (DeleteView, {"perform": lambda self: None, "confirmation": lambda self: {}}, "set success_url"),
    ],
)
def test_a_misdeclared_page_fails_when_the_urlconf_is_built(base, attrs, says):
    with pytest.raises(ImproperlyConfigured, match=r"MisdeclaredView must .*" + says):
        declare(base, **attrs).as_view()


def test_a_complete_declaration_builds():
    view = declare(ObjectListView, model=VerificationToken, table_class=KeyTable, filterset_class=KeyFilterSet)
    assert callable(view.as_view())
    assert callable(declare(DeleteView, perform=lambda s: None, confirmation=lambda s: {}, success_url="/").as_view())


def test_every_routed_page_is_a_complete_declaration():
    """Importing the URLconf ran every page's check; say so by resolving one of each kind."""
    from django.urls import resolve

    for path in ("/keys/", "/budgets/", "/usage/logs/", "/usage/errors/", "/users/"):
        assert resolve(path).func.view_class.check_declaration() is None
