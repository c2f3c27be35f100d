"""The app's web server: Streamlit's, plus the route that keeps a sign-in across reloads in
an HttpOnly cookie (:mod:`atlas_app.web.routes`). ``streamlit run atlas_app/serve.py`` serves
it (``scripts/run.sh``, the ``Procfile``): Streamlit finds ``app`` and runs it on its own
server, the pages being those of ``streamlit_app.py``. Run as ``streamlit run
atlas_app/streamlit_app.py`` the app works the same, except that a reload signs out.
"""

from __future__ import annotations

import streamlit as st
from starlette.middleware import Middleware

from atlas_app.web.memory import start_trimming
from atlas_app.web.preload import PreloadMiddleware
from atlas_app.web.routes import session_routes

start_trimming()

app = st.App(
    "streamlit_app.py",
    routes=session_routes(st.get_option("server.baseUrlPath")),
    # The first view's code named in the shell, and its first 3D scene drawn early.
    middleware=[Middleware(PreloadMiddleware, boot=True)],
)
