"""Django's `format_html`, `format_html_join` and `conditional_escape`, the same output for the
same arguments, without `keep_lazy`'s wrapper around every `escape` call.

Django's `escape` is decorated with `keep_lazy(SafeString)`: each call scans its arguments for
lazy strings before escaping one value. A 50-row table page makes about 4,000 such calls (each
cell, each td attribute, each filter option), and the profiles in BENCHMARKS.md put the wrapper
and its generator at the top of every list page's Python time. Here a value's type is looked at
once: plain text is escaped by the standard library's `html.escape` (what Django's escape calls),
safe text passes as it is, and anything else (a lazy translation, an object with `__html__`, a
number) takes Django's own rule.

The console's code imports these from here; templates keep Django's escaping.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape as _escape

from django.utils.functional import Promise
from django.utils.safestring import SafeData, SafeString

__all__ = ["conditional_escape", "escape", "escaped", "format_html", "format_html_join"]


def escaped(value) -> str:
    """The value as HTML text: what `conditional_escape(value)` gives, as a plain str for
    joining into a larger fragment."""
    kind = type(value)
    if kind is str:
        return _escape(value)
    if kind is SafeString:
        return value
    if kind is int:  # digits and a sign: nothing to escape (bool is not `int` here)
        return str(value)
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return _escape(str(value))


def escape(value) -> SafeString:
    """django.utils.html.escape: always escapes, safe text too."""
    return SafeString(_escape(str(value)))


def conditional_escape(value) -> SafeData:
    """django.utils.html.conditional_escape."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return SafeString(_escape(str(value)))


def format_html(format_string: str, *args, **kwargs) -> SafeString:
    """django.utils.html.format_html: every argument escaped unless already safe."""
    return SafeString(format_string.format(*[escaped(a) for a in args], **{k: escaped(v) for k, v in kwargs.items()}))


def format_html_join(sep, format_string: str, args_generator) -> SafeString:
    """django.utils.html.format_html_join."""
    parts = []
    for args in args_generator:
        if isinstance(args, Mapping):
            parts.append(format_string.format(**{k: escaped(v) for k, v in args.items()}))
        else:
            parts.append(format_string.format(*[escaped(a) for a in args]))
    return SafeString(escaped(sep).join(parts))
