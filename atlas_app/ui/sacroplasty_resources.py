"""The sacroplasty page's shared caches (the same for every user): each keeps one answer of
:mod:`atlas_app.sacroplasty.api` by the plain values the page chose (specimen, side,
technique, style…), so a rerun of the page draws nothing twice."""

from __future__ import annotations

import streamlit as st

from atlas_app.model.specimen import Specimen
from atlas_app.sacroplasty import api
from atlas_app.ui.resources import loaded_atlas, specimen


@st.cache_resource(show_spinner="Loading the sacroplasty data…")
def sacroplasty_data() -> api.SacroplastySet:
    return api.load_sacroplasty(loaded_atlas().atlas)


def _sp(spec: str) -> Specimen:
    return specimen(spec)[0]


@st.cache_data(max_entries=32, show_spinner=False)
def zone_image(spec: str, side: str, style: str) -> bytes:
    return api.zone_jpeg(loaded_atlas().atlas, _sp(spec), sacroplasty_data(), side, style)


@st.cache_data(max_entries=64, show_spinner="Simulating the fluoroscopic views…")
def technique_images(
    spec: str, technique_id: str, side: str, style: str, nerves: bool
) -> list[tuple[str, str, bytes]]:
    atlas, data = loaded_atlas().atlas, sacroplasty_data()
    return api.technique_jpegs(atlas, _sp(spec), data, technique_id, side, style, nerves)


@st.cache_data(max_entries=64, show_spinner=False)
def technique_measures(
    spec: str, technique_id: str, side: str
) -> list[tuple[str, api.NeedleMeasures]]:
    atlas, data = loaded_atlas().atlas, sacroplasty_data()
    return api.technique_measures(atlas, _sp(spec), data, technique_id, side)


@st.cache_data(max_entries=64, show_spinner=False)
def technique_cement_ml(spec: str, technique_id: str, side: str) -> float:
    return api.cement_ml(sacroplasty_data(), _sp(spec), technique_id, side)


@st.cache_data(max_entries=64, show_spinner=False)
def technique_fill_text(spec: str, technique_id: str, side: str) -> str:
    atlas, data = loaded_atlas().atlas, sacroplasty_data()
    return api.fill_text(atlas, _sp(spec), data, technique_id, side)


@st.cache_data(max_entries=64, show_spinner="Simulating the leak…")
def leak_view(spec: str, leak_id: str, side: str, style: str, nerves: bool) -> api.LeakView:
    atlas, data = loaded_atlas().atlas, sacroplasty_data()
    return api.leak_view(atlas, _sp(spec), data, leak_id, side, style, nerves)


@st.cache_data(max_entries=32, show_spinner=False)
def leak_summary(spec: str, side: str) -> list[tuple[str, float | None]]:
    return api.leak_summary(loaded_atlas().atlas, _sp(spec), sacroplasty_data(), side)


@st.cache_data(max_entries=256, show_spinner=False)
def plan_result(
    spec: str, side: str, values: tuple[tuple[str, float], ...], style: str, nerves: bool
) -> tuple[api.NeedleMeasures, list[tuple[str, bytes]]]:
    atlas, data = loaded_atlas().atlas, sacroplasty_data()
    return api.plan_result(atlas, _sp(spec), data, side, dict(values), style, nerves)
