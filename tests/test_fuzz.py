"""Hostile strings and numbers posted to every form and sent to every list page's query
parameters: never a 500, and a refused POST (a 4xx, the form again with errors, or an
error message) writes nothing to LiteLLM's tables.

The URLs come from the resolver (every pattern whose view has a POST handler, every list
page), the field names from the forms the pages themselves render, so a new form or filter
is fuzzed without touching this file."""

from __future__ import annotations

import os
from html.parser import HTMLParser

import pytest
from django.contrib.messages import constants
from django.db import connections
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config import litellm
from tests import factories

pytestmark = [
    pytest.mark.django_db(databases=["default", "litellm"]),
    # ?sort=1.5 makes django-tables2 warn about '.' in accessors; harmless here.
    pytest.mark.filterwarnings("ignore::DeprecationWarning:django_tables2"),
]

HOSTILE = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "NaN",
    "Infinity",
    "-Infinity",
    "1e309",
    "-1",
    "-0",
    "0",
    "9" * 400,
    "2147483648",
    "9223372036854775808",
    "-9223372036854775809",
    "3000000d",
    "0d",
    "0s",
    "2mo",
    "1h30m",
    '"\\u0000"',
    '"\\ud800"',
    "[" * 50,
    "{" * 30 + "}" * 30,
    '{"a": NaN}',
    "0001-01-01",
    "9999-12-31",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "a/b",
    "../..",
    "%2F",
    "~2F",
    "?#&=",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "東京 ☃",
    "x" * 5000,
    "true",
    "null",
    "[]",
    "{}",
    "proxy_admin",
    "all-proxy-models",
]
# Text PostgreSQL can be handed (surrogates cannot even be sent as UTF-8 by a browser).
VALUES = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
CI_SETTINGS = dict(
    deadline=None,
    database=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=list(HealthCheck),
)
SKIP = ("admin:", "logout")  # Django's own admin has its own owner and tests; logout ends the session
EXTRA_QUERY = ("page", "sort", "per_page", "after", "export", "q")


class Forms(HTMLParser):
    """Every <form>: method, action, the names of its fields and the values it would post
    as rendered (a valid baseline, so hostile values also reach the services)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(
                {
                    "method": (attrs.get("method") or "get").lower(),
                    "action": attrs.get("action"),
                    "fields": set(),
                    "values": {},
                }
            )
            return
        if not self.forms:
            return
        form, name = self.forms[-1], attrs.get("name")
        if tag == "option" and self.select:
            if "selected" in attrs or self.select not in form["values"]:
                form["values"][self.select] = [attrs.get("value") or ""]
            return
        if tag not in ("input", "select", "textarea", "button") or not name or name == "csrfmiddlewaretoken":
            return
        form["fields"].add(name)
        if tag == "select":
            self.select = name
        elif tag == "textarea":
            self.textarea = name
        elif tag == "input" and "disabled" not in attrs and attrs.get("type") not in ("submit", "button"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            form["values"].setdefault(name, []).append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea and self.forms:
            self.forms[-1]["values"][self.textarea] = [data]


def forms_on(html: str) -> list[dict]:
    parser = Forms()
    parser.feed(html)
    return parser.forms


def patterns(resolvers=None, prefix="", namespace=""):
    """(url name, kwarg names, view) for every named pattern."""
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from patterns(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", list(entry.pattern.converters), entry.callback


def posts(view) -> bool:
    cls = getattr(view, "view_class", None)
    if cls is None:
        return False
    return hasattr(cls, "post") and "post" in getattr(cls, "http_method_names", ["post"])


def snapshot() -> dict:
    """A row count and checksum of every LiteLLM table, in one query."""
    parts = [
        f"SELECT '{t}', count(*), coalesce(sum(hashtextextended(x::text, 0)), 0) FROM \"{t}\" x"
        for t in sorted(litellm.read_catalog().columns)
    ]
    with connections["litellm"].cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))  # rows in any order (a parallel plan may mix them)
        return {table: (count, checksum) for table, count, checksum in cursor.fetchall()}


def refused(response) -> bool:
    if response.status_code >= 400:
        return True
    body = response.content.decode(errors="replace") if response.status_code == 200 else ""
    if 'class="field-error"' in body or 'class="form-errors"' in body:
        return True
    # Only messages this request added (earlier ones may still wait in the session).
    queued = getattr(getattr(response.wsgi_request, "_messages", None), "_queued_messages", [])
    return any(m.level >= constants.ERROR for m in queued)


def world(cast) -> dict:
    """Objects for every id a pattern takes (a team member, a budget row, a log...)."""
    rows = factories.make_proxy_shaped_rows()
    invitation = factories.make_invitation(user_id=cast.member["user_id"], created_by=cast.proxy_admin["user_id"])
    return {
        "token": rows["key"]["token"],
        "team_id": cast.team["team_id"],
        "user_id": cast.member["user_id"],
        "org_id": cast.org["organization_id"],
        "end_user_id": rows["end_user"]["user_id"],
        "budget_id": rows["budget"]["budget_id"],
        "invitation_id": invitation["id"],
        "request_id": rows["logs"][0]["request_id"],
    }


def urls(ids: dict):
    for name, kwargs, view in patterns():
        if name.startswith(SKIP) or any(k not in ids for k in kwargs):
            continue
        yield name, reverse(name, kwargs={k: ids[k] for k in kwargs}), view, kwargs


def gets(view) -> bool:
    cls = getattr(view, "view_class", None)
    return cls is None or (hasattr(cls, "get") and "get" in getattr(cls, "http_method_names", ["get"]))


def crawl(client, pages: list[str]) -> tuple[dict[str, dict], dict[str, set[str]]]:
    """Open every page once: (post target -> its form, page -> its GET forms' field names).
    A POST-only action (block, remove...) is a button on another page; its form says its fields."""
    posts_to: dict[str, dict] = {}
    queries: dict[str, set[str]] = {}
    for page in pages:
        response = client.get(page)
        if response.status_code != 200:
            continue
        for form in forms_on(response.content.decode()):
            target = form["action"] or page
            if form["method"] == "post":
                known = posts_to.setdefault(target, {"fields": set(), "values": {}})
                known["fields"] |= form["fields"]
                known["values"] = {**form["values"], **known["values"]}
            elif target == page:
                queries.setdefault(page, set()).update(form["fields"])
    return posts_to, queries


def fuzz_post(client, url: str, form: dict, examples: int, failures: list[str]):
    """Hostile values for some fields, on top of what the form posts as rendered (or alone)."""
    fields = sorted(form["fields"]) or ["value"]
    baseline = form["values"]

    @settings(max_examples=examples, **CI_SETTINGS)
    @given(
        st.booleans(),
        st.dictionaries(st.sampled_from(fields), st.lists(VALUES, min_size=1, max_size=2), max_size=len(fields)),
    )
    def run(from_baseline, hostile):
        data = {**baseline, **hostile} if from_baseline else hostile
        before = snapshot()
        response = client.post(url, data)
        if response.status_code >= 500:
            failures.append(f"POST {url} {data!r}: {response.status_code}")
            return
        if refused(response):
            after = snapshot()
            if after != before:
                changed = [table for table in after if after[table] != before.get(table)]
                failures.append(f"POST {url} {data!r}: refused ({response.status_code}) but wrote {changed}")

    run()


def fuzz_get(client, url: str, names: set[str], examples: int, failures: list[str]):
    fields = sorted(names | set(EXTRA_QUERY))

    @settings(max_examples=examples, **CI_SETTINGS)
    @given(st.dictionaries(st.sampled_from(fields), st.lists(VALUES, min_size=1, max_size=2), max_size=4))
    def run(query):
        response = client.get(url, query)
        if response.status_code >= 500:
            failures.append(f"GET {url} {query!r}: {response.status_code}")

    run()


@pytest.mark.parametrize("role", ["proxy_admin", "member"])
def test_no_form_or_query_parameter_answers_500_or_writes_when_refused(cast, client_for, role):
    # LITELLM_FUZZ_EXAMPLES=200 for a longer hunt by hand; CI keeps the test near a minute.
    examples = int(os.environ.get("LITELLM_FUZZ_EXAMPLES", 0)) or (15 if role == "proxy_admin" else 3)
    client = client_for(getattr(cast, role))
    client.raise_request_exception = False
    targets = list(urls(world(cast)))
    posts_to, queries = crawl(client, [url for _name, url, view, _kw in targets if gets(view)])
    failures: list[str] = []
    posted = 0
    for _name, url, view, kwargs in targets:
        if posts(view):
            fuzz_post(client, url, posts_to.get(url, {"fields": set(), "values": {}}), examples, failures)
            posted += 1
        if not kwargs and url in queries:  # a list page: its filters and paging parameters
            fuzz_get(client, url, queries[url], examples, failures)
    assert posted >= 20, f"only {posted} forms found"
    assert not failures, "\n".join(failures[:30])
