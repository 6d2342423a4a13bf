"""Opening an edit form and saving it as a browser does: every field the page rendered, the
signed 'values shown' included, so a test can keep a form open while someone else saves."""

from __future__ import annotations

from html.parser import HTMLParser

from config.forms import SHOWN_FIELD


class _Forms(HTMLParser):
    """Each <form>'s successful controls: {name: [values]} (text, hidden, number, checked
    boxes, selected options, textareas; no buttons)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self._textarea = None

    def _add(self, name, value):
        if self._form is not None and name:
            self._form["fields"].setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action"), "fields": {}}
            self.forms.append(self._form)
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self._add(a.get("name"), a.get("value", "on" if kind in ("checkbox", "radio") else ""))
        elif tag == "select":
            self._select = {"name": a.get("name"), "values": [], "first": None, "multiple": "multiple" in a}
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in a:
                self._select["values"].append(value)
        elif tag == "textarea":
            self._textarea = {"name": a.get("name"), "text": ""}

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["text"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None:
            s = self._select
            values = s["values"] or ([] if s["multiple"] or s["first"] is None else [s["first"]])
            for value in values:
                self._add(s["name"], value)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._add(self._textarea["name"], self._textarea["text"].removeprefix("\n"))
            self._textarea = None


def open_form(client, url: str, *, action: str | None = None) -> dict[str, list[str]]:
    """GET `url` as `client` and return the edit form's fields as a browser would send them
    (the form holding the signed values, or the one posting to `action`)."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    parser = _Forms()
    parser.feed(response.content.decode())
    for form in parser.forms:
        if (action is not None and form["action"] == action) or (action is None and SHOWN_FIELD in form["fields"]):
            fields = dict(form["fields"])
            fields.pop("csrfmiddlewaretoken", None)
            return fields
    raise AssertionError(f"no edit form on {url}")


def save(client, url: str, fields: dict, **changes):
    """POST an opened form with some fields changed (a value, or a list for multi-valued)."""
    data = {**fields}
    for name, value in changes.items():
        data[name] = value if isinstance(value, list) else [value]
    return client.post(url, data)


def shown(client, url: str, **kwargs) -> dict[str, list[str]]:
    """Only the signed 'values shown' of the form at `url`, to add to a hand-made POST."""
    return {SHOWN_FIELD: open_form(client, url, **kwargs)[SHOWN_FIELD]}
