"""Awkward values for the tests that hold a fast path to its general path."""

from __future__ import annotations

from hypothesis import strategies as st

#: Optional text: one line, padded, empty, multi-line, a control character, not text.
TEXT = st.one_of(
    st.none(),
    st.sampled_from(["Acme", " padded ", "", "   ", "two\nlines", "bell\x07", "ünïcode", 7]),
    st.text(max_size=6),
)
#: Optional ids, good and bad.
IDS = st.one_of(st.none(), st.sampled_from(["rep-1", "acct-1", " rep ", "", "a\x00b", 3]))
