"""funnel-analytics: the frame. Page config, navigation, the shared sidebar; nothing else.

Run with ``python3 run.py dashboard``; it opens on the bundled sample workspace.
The navigation is declared before the sidebar's widgets, as Streamlit requires: widgets
drawn before st.navigation lose the first click made on them. Each page's address is its file
name under ``pages/`` (``pages/stage-check.py`` is ``/stage-check``): a fresh server's first
request is resolved against that folder before the navigation exists, and an address it
cannot find there brings up Streamlit's "Page not found" dialog.
"""

from __future__ import annotations

import streamlit as st

from pages.ui import DEEP_LINK, build_state, show_error, t

st.set_page_config(page_title="销售漏斗 · funnel-analytics", layout="wide")
navigation_pages = {
    t("section_funnel"): [
        st.Page("pages/overview.py", title=t("page_overview"), default=True, url_path="overview"),
    ],
    t("section_movement"): [
        st.Page("pages/conversion.py", title=t("page_conversion"), url_path="conversion"),
        st.Page("pages/movement.py", title=t("page_movement"), url_path="movement"),
        st.Page("pages/ageing.py", title=t("page_ageing"), url_path="ageing"),
        st.Page("pages/stage-check.py", title=t("page_stage_check"), url_path="stage-check"),
    ],
    t("section_planning"): [
        st.Page("pages/planner.py", title=t("page_planner"), url_path="planner"),
        st.Page("pages/forecast.py", title=t("page_forecast"), url_path="forecast"),
        st.Page("pages/scenarios.py", title=t("page_scenarios"), url_path="scenarios"),
        st.Page("pages/team.py", title=t("page_team"), url_path="team"),
    ],
    t("section_data"): [
        st.Page("pages/data.py", title=t("page_data"), url_path="data"),
    ],
}
navigation = st.navigation(navigation_pages)
try:
    build_state(navigation.url_path)
    # A deep link that arrived before the navigation existed (see pages.ui.state): go there.
    wanted = st.session_state.pop(DEEP_LINK, None)
    if wanted and wanted != navigation.url_path:
        pages = [p for section in navigation_pages.values() for p in section]
        target = next((p for p in pages if p.url_path == wanted), None)
        if target is not None:
            st.switch_page(target)
    navigation.run()
except Exception as exc:  # st.stop and reruns are not Exceptions: they pass through
    show_error(exc)
