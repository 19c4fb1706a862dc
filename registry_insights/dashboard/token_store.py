"""Keeps the signed-in token in the browser tab's `sessionStorage`, so that a reload of
the tab stays signed in; closing the tab (or "Sign out") forgets it. The token never
goes into the address. A `st.components.v2` component with inline JavaScript: no file,
no request."""

from __future__ import annotations

from typing import Any

import streamlit as st

STORAGE_KEY = "registry-insights-token"

_JS = """
export default function({ data, setStateValue }) {
  const KEY = "@KEY@";
  if (data && data.save) { sessionStorage.setItem(KEY, data.save); }
  if (data && data.clear) { sessionStorage.removeItem(KEY); }
  const stored = sessionStorage.getItem(KEY) || "";
  if (stored !== ((data && data.known) || "")) { setStateValue("token", stored); }
}
""".replace("@KEY@", STORAGE_KEY)

_store = st.components.v2.component("registry_insights_token_store", js=_JS)


def sync(known: str | None, save: str | None = None, clear: bool = False) -> str:
    """Mount the store: write `save` (or clear it), and return the token the tab's
    storage holds ("" when none, or until the browser has answered)."""
    result: Any = _store(
        key="token_store",
        data={"known": known or "", "save": save or "", "clear": clear},
        default={"token": ""},
        on_token_change=lambda: None,
        height=0,
    )
    token = getattr(result, "token", "") or ""
    return str(token)
