"""The generic layer's one import path. Every console page is a declaration on one of these
(each documents its attributes; a page missing one fails when the URLconf is imported):

    ObjectListView    list: filter, sort, paginate, CSV (lists.py); a queryset, or rows from
                      a data source (sources.py: NumberedSource, KeysetSource)
    ObjectDetailView  one object's page (detail.py)
    ServiceFormView   a form (create or edit) whose valid submission calls a service (edit.py);
    GuardedFormView   one whose permission depends on what the submission names (guarded.py)
    ActionView        a POST-only button (edit.py)
    ConfirmView       a confirm page and its button; DeleteView, one that deletes (confirm.py)

Underneath: ConsoleMixin (signed in, section open), ObjectMixin (405, load, authorize),
Declared (the declaration check) in base.py, and the one CSV writer in export.py.
"""

from __future__ import annotations

from .base import ConsoleMixin, Declared, ObjectMixin, actor_for  # noqa: F401
from .confirm import ConfirmView, DeleteView  # noqa: F401
from .detail import ObjectDetailView  # noqa: F401
from .edit import ActionView, ServiceFormView, refuse_on_form  # noqa: F401
from .guarded import GuardedFormView  # noqa: F401
from .lists import ObjectListView  # noqa: F401
from .sources import KeysetSource, ListSource, NumberedSource, SortColumn, SourcePage  # noqa: F401
