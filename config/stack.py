"""Run the hot rendering loops at the start of a fresh frame-stack chunk (CPython 3.11/3.12).

CPython keeps Python frames in a per-thread stack of 16 KiB chunks. When a loop runs right at a
chunk's end, every call that crosses into the next chunk allocates it (mmap) and every return
frees it again (munmap): CPython issue gh-142183, "Calls across stack chunks perform badly",
fixed in 3.13/3.14 by caching one chunk, not in 3.11 or 3.12. Where the boundary falls depends
on how many frames sit above the page (middleware, the WSGI server), which is why the keys list
rendered twice as fast through a RequestFactory as through the full request stack, with
identical HTML and call counts (BENCHMARKS.md, "Why the full stack was slower"): rendering
50 rows crossed a boundary thousands of times.

`on_fresh_chunk(fn, ...)` calls fn from a frame too large for any chunk's free space (more
locals than a chunk holds), so CPython starts a new, larger chunk for it and fn and everything
it calls get that chunk's free half to themselves: one allocation per call instead of one per
cell. On interpreters with the fix it costs one cached chunk.
"""

from __future__ import annotations

CHUNK_BYTES = 16 * 1024  # CPython's DATA_STACK_CHUNK_SIZE
_LOCALS = CHUNK_BYTES // 8 + 64  # one slot per local (8 bytes): more than a whole chunk


def _build_runner():
    names = " = ".join(f"_{i}" for i in range(_LOCALS))
    source = f"def on_fresh_chunk(fn, /, *args, **kwargs):\n    {names} = None\n    return fn(*args, **kwargs)\n"
    namespace: dict = {}
    exec(compile(source, __file__ + ":runner", "exec"), namespace)  # noqa: S102 - fixed source, no input
    runner = namespace["on_fresh_chunk"]
    runner.__doc__ = "fn(*args, **kwargs), called at the start of a fresh frame-stack chunk."
    return runner


on_fresh_chunk = _build_runner()
