"""funnel-analytics: the frame. Page config, the shared sidebar, navigation; nothing else.

Run with ``python3 run.py dashboard``; it opens on the bundled sample workspace.
"""

from __future__ import annotations

import streamlit as st

from pages.ui import build_state, t

st.set_page_config(page_title="销售漏斗 · funnel-analytics", layout="wide")
build_state()
pages = {
    t("section_funnel"): [
        st.Page("pages/overview.py", title=t("page_overview"), default=True,
                url_path="overview"),
    ],
    t("section_data"): [
        st.Page("pages/data.py", title=t("page_data"), url_path="data"),
    ],
}
st.navigation(pages).run()
