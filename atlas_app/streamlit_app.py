"""Entry point: page config, navigation, the shared sidebar. No logic lives here."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

st.set_page_config(
    page_title="Sacral Ala Atlas",
    page_icon=str(Path(__file__).parent / "assets" / "icon.png"),
    layout="wide",
)

pages = [
    st.Page(
        "app_pages/atlas.py",
        title="Atlas",
        icon=":material/view_in_ar:",
        default=True,
        url_path="atlas",
    ),
    st.Page(
        "app_pages/approaches.py",
        title="Approaches",
        icon=":material/route:",
        url_path="approaches",
    ),
    st.Page(
        "app_pages/compare.py",
        title="Compare",
        icon=":material/compare_arrows:",
        url_path="compare",
    ),
    st.Page(
        "app_pages/variability.py",
        title="Variability",
        icon=":material/scatter_plot:",
        url_path="variability",
    ),
    st.Page(
        "app_pages/sacroplasty.py",
        title="Sacroplasty",
        icon=":material/vaccines:",
        url_path="sacroplasty",
    ),
    st.Page("app_pages/quiz.py", title="Quiz", icon=":material/quiz:", url_path="quiz"),
    st.Page(
        "app_pages/progress.py",
        title="Progress",
        icon=":material/trending_up:",
        url_path="progress",
    ),
    st.Page("app_pages/cohort.py", title="Cohort", icon=":material/groups:", url_path="cohort"),
    st.Page("app_pages/about.py", title="About", icon=":material/info:", url_path="about"),
]
st.navigation(pages).run()
