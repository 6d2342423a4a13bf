"""config.html is Django's escaping without keep_lazy's wrapper: for any value a page may hold
(text with markup, safe text, lazy translations, numbers, objects with __html__) it must give
exactly what django.utils.html gives, or a page would show markup it should escape."""

from __future__ import annotations

from decimal import Decimal

from django.utils import html as django_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy
from hypothesis import given
from hypothesis import strategies as st

from config import html


class Marked:
    def __html__(self):
        return "<b>marked</b>"


texts = st.text(alphabet=st.sampled_from("<>&\"' aZ9é—\n{}"), max_size=20)
values = st.one_of(
    texts,
    texts.map(mark_safe),
    st.integers(),
    st.booleans(),
    st.floats(allow_nan=False),
    st.decimals(allow_nan=False, allow_infinity=False, places=4),
    st.none(),
    st.just(gettext_lazy("<Team> & friends")),
    st.just(Marked()),
)


@given(values)
def test_escaping_matches_django(value):
    assert html.conditional_escape(value) == django_html.conditional_escape(value)
    assert type(html.conditional_escape(value)) is type(django_html.conditional_escape(value))
    assert html.escaped(value) == django_html.conditional_escape(value)
    assert html.escape(value) == django_html.escape(value)


@given(values, values)
def test_format_html_matches_django(first, second):
    ours = html.format_html('<a title="{}">{}</a>', first, second)
    assert ours == django_html.format_html('<a title="{}">{}</a>', first, second)
    assert isinstance(ours, SafeString)
    assert html.format_html("{a}-{b}", a=first, b=second) == django_html.format_html("{a}-{b}", a=first, b=second)


@given(st.lists(st.tuples(values, values), max_size=5), st.sampled_from([", ", "<br>", mark_safe("<br>")]))
def test_format_html_join_matches_django(rows, separator):
    ours = html.format_html_join(separator, "<li>{}: {}</li>", rows)
    assert ours == django_html.format_html_join(separator, "<li>{}: {}</li>", rows)
    mapped = [{"k": k, "v": v} for k, v in rows]
    assert html.format_html_join("", "{k}={v}", mapped) == django_html.format_html_join("", "{k}={v}", mapped)


def test_markup_in_plain_text_is_escaped():
    assert html.format_html("<td>{}</td>", "<script>") == "<td>&lt;script&gt;</td>"
    assert html.format_html("<td>{}</td>", mark_safe("<i>x</i>")) == "<td><i>x</i></td>"
    assert html.escaped(Decimal("1.5")) == "1.5"
