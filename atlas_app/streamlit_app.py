"""Entry point: page config, navigation, the shared sidebar. No logic lives here."""

from __future__ import annotations

import time
from pathlib import Path

import streamlit as st

from atlas_app.storage.accounts import can_view_cohort
from atlas_app.ui.account import account_sidebar, open_account
from atlas_app.ui.errors import page_boundary, show_pending
from atlas_app.ui.run_log import timed_run

run_started = time.perf_counter()

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
    st.Page("app_pages/cases.py", title="Cases", icon=":material/cases:", url_path="cases"),
    st.Page(
        "app_pages/present.py", title="Present", icon=":material/slideshow:", url_path="present"
    ),
    st.Page("app_pages/about.py", title="About", icon=":material/info:", url_path="about"),
]
# Sign in/out on every page, at the top of the sidebar. It is drawn before the page runs: a
# page that calls st.stop() (a guest on Progress or Cases) ends the run, and nothing drawn
# after it would be sent. A guest's run never touches the store, and a store that fails
# only turns accounts off: the anatomy pages serve whatever the database does.
engine, user = open_account()
account_sidebar(engine, user)
if can_view_cohort(user):  # the page itself still refuses anyone else who types its URL
    pages.insert(
        -1,
        st.Page("app_pages/cohort.py", title="Cohort", icon=":material/groups:", url_path="cohort"),
    )
if user is not None and user.role == "admin":  # likewise
    pages.insert(
        -1,
        st.Page(
            "app_pages/admin.py",
            title="Admin",
            icon=":material/admin_panel_settings:",
            url_path="admin",
        ),
    )
page = st.navigation(pages)
show_pending()  # what a click could not store, said once at the top of the page
with timed_run(page.url_path or "atlas", run_started), page_boundary():
    page.run()
