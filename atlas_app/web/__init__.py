"""What the app adds to Streamlit's web server (plain Starlette, no streamlit import): the
route that puts the remembered sign-in into an HttpOnly cookie, and that cookie's signing."""
