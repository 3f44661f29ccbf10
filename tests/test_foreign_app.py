"""Every foreign export through the real app under AppTest, as a new user would take it:
upload → accept the proposed snapshot date → accept the proposed model (a built-in one, or
"use this file's stages") → every page, in both languages: no exception, and no ``nan``,
``None``, ``Infinity`` or ``NaT`` in any text a manager reads; every table shows a missing
value as "—"."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest
from test_app import FOREIGN, app, on_data_page, upload

PAGES = ["pages/overview.py", "pages/conversion.py", "pages/movement.py", "pages/ageing.py",
         "pages/stage_check.py", "pages/planner.py", "pages/forecast.py", "pages/scenarios.py",
         "pages/team.py", "pages/data.py"]
BAD = re.compile(r"\bnan\b|\bNaN\b|\bNone\b|Infinity|[+-]inf\b|\bNaT\b|<NA>")
TEXT_ELEMENTS = ("markdown", "caption", "info", "warning", "error", "success", "title",
                 "subheader", "header")


def texts(at: AppTest) -> list[tuple[str, str]]:
    out = [(kind, str(e.value)) for kind in TEXT_ELEMENTS for e in getattr(at, kind)]
    out += [("metric", f"{m.label} {m.value} {m.proto.delta}") for m in at.metric]
    return out


def accept_proposals(name: str) -> dict:
    """Upload ``name`` on the Data page and take what the page proposes; the session state a
    fresh run of the frame then starts from."""
    at = on_data_page("en")
    fid = upload(at, name, (FOREIGN / name).read_bytes())
    keys = [b.key for b in at.button]
    if f"asof_ok_{fid}" in keys:
        at.button(key=f"asof_ok_{fid}").click().run()
        keys = [b.key for b in at.button]
    state: dict = {"_keep_source": "upload", "uploads": at.session_state["uploads"]}
    if f"infer_use_{fid}" in keys:
        at.button(key=f"infer_use_{fid}").click().run()
        state.update(_keep_model_name="custom", custom_model=at.session_state["custom_model"])
    else:
        proposal = [k for k in keys if k and k.startswith(f"model_{fid}_")]
        if proposal:
            state["_keep_model_name"] = proposal[0][len(f"model_{fid}_"):]
    assert not at.exception
    return state


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(p.name for p in FOREIGN.iterdir()))
def test_every_page_reads_cleanly_for_a_foreign_export(name: str) -> None:
    state = accept_proposals(name)
    problems = []
    for lang in ("zh", "en"):
        for page in PAGES:
            at = app(lang, **state)
            if page != "pages/overview.py":
                at.switch_page(page).run()
            if at.exception:
                problems.append(f"{lang} {page}: exception {at.exception[0].value[:200]}")
                continue
            for kind, text in texts(at):
                found = BAD.search(text)
                if found:
                    i = found.start()
                    problems.append(f"{lang} {page} {kind}: …{text[max(i - 60, 0):i + 30]}…")
            for table in at.dataframe:
                if table.proto.placeholder != "—":
                    problems.append(f"{lang} {page}: a table shows missing values as None")
    assert not problems, "\n".join(problems)
