"""config/stack.py: the rendering loops run at the start of a fresh frame-stack chunk.

Speed itself is measured by `manage.py bench` (BENCHMARKS.md); these pin what the workaround
depends on and that pages still go through it."""

import pytest

from config.stack import CHUNK_BYTES, on_fresh_chunk


def test_the_runner_frame_cannot_fit_in_any_chunk_free_space():
    # CPython starts a new chunk only for a frame bigger than what is left: one bigger than a
    # whole chunk always gets a new one, with room after it for the page's own frames.
    assert on_fresh_chunk.__code__.co_nlocals * 8 > CHUNK_BYTES


def test_the_runner_passes_arguments_results_and_errors_through():
    assert on_fresh_chunk(lambda a, b=0, **k: (a, b, k), 1, b=2, c=3) == (1, 2, {"c": 3})
    with pytest.raises(ZeroDivisionError):
        on_fresh_chunk(lambda: 1 / 0)


@pytest.mark.django_db(databases="__all__")
def test_console_pages_and_tables_render_through_it(monkeypatch, client, cast):
    import config.tables
    import config.views.base

    calls = []

    def counting(fn, *args, **kwargs):
        calls.append(getattr(fn, "__name__", fn))
        return fn(*args, **kwargs)

    monkeypatch.setattr(config.views.base, "on_fresh_chunk", counting)
    monkeypatch.setattr(config.tables, "on_fresh_chunk", counting)
    client.force_login(cast.ops)
    response = client.get("/keys/")
    assert response.status_code == 200
    assert calls == ["render", "_body_html"]
