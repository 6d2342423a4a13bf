"""A URL converter for ids that LiteLLM lets API callers choose (end users come from any
caller's `user` field; team, user, org and budget ids may be set on create): any string.

'/' cannot simply be percent-encoded: servers (gunicorn, the test client) decode %2F before
routing, so "/end-users/a%2Fb/edit/" would route as three segments. Instead '/' travels as
'~2F' and '~' itself as '~7E' (an id of only dots as '~2E's, which browsers would
collapse); a lone '~' stands for the empty string. Everything else
('%', '?', '#', spaces, unicode) is percent-encoded by reverse() and decoded by the server.
A hand-typed '~' that is not one of these escapes is kept as it is."""

from __future__ import annotations

import re

from django.urls import register_converter

_ESCAPE = re.compile(r"~(2F|7E|2E)", re.IGNORECASE)
_UNESCAPED = {"2F": "/", "7E": "~", "2E": "."}


class AnyIdConverter:
    regex = r"[^/]+"

    def to_python(self, value: str) -> str:
        if value == "~":
            return ""
        return _ESCAPE.sub(lambda m: _UNESCAPED[m.group(1).upper()], value)

    def to_url(self, value) -> str:
        text = str(value)
        if text == "":
            return "~"
        if text.strip(".") == "":  # "." and ".." are collapsed by browsers before sending
            return text.replace(".", "~2E")
        return text.replace("~", "~7E").replace("/", "~2F")


register_converter(AnyIdConverter, "id")
