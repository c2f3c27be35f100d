"""The baseline of the browser benchmark: a one-line Streamlit page."""

import streamlit as st

st.write("Hello from a one-line page.")
