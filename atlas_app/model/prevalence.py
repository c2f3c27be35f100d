"""How a variant's prevalence is shown: the published share, or a plain statement that no
study reports it. The atlas needs a share for every option to sample specimens; where the
sources give none (the three sites where L4 joins L5) the options are drawn equally often,
and that split must never be shown as if it had been measured."""

from __future__ import annotations

from atlas_app.model.atlas import Atlas
from atlas_app.model.schema import VariantGroup, VariantOption
from atlas_app.model.specimen import SpecError, parse_spec

EQUAL_SPLIT = 0.02
"""Options whose shares differ by less than this are an assumed equal split."""
UNREPORTED = "frequency not reported"


def split_unreported(group: VariantGroup) -> bool:
    """True when the group's shares are an assumed equal split, not published figures."""
    shares = [o.prevalence for o in group.options]
    return len(shares) > 1 and max(shares) - min(shares) < EQUAL_SPLIT


SHARE_FLAG = {"V": "", "S": ", secondary source", "I": ", inferred", "U": ", unsourced"}
"""What a share's best citation makes it: verbatim needs no flag."""


def share_flag(option: VariantOption) -> str:
    best = min((c.confidence for c in option.cite), key="VSIU".index)
    return SHARE_FLAG[best]


def prevalence_text(group: VariantGroup, option: VariantOption) -> str:
    """``18%``; ``36%, inferred``; or ``frequency not reported`` for an assumed split."""
    if split_unreported(group):
        return UNREPORTED
    return f"{option.prevalence:.0%}{share_flag(option)}"


def option_label(group: VariantGroup, option: VariantOption) -> str:
    """A variant option as a picker shows it: ``L5 body (18%)``, ``On the ala (frequency
    not reported)``."""
    return f"{option.name} ({prevalence_text(group, option)})"


def spec_names(atlas: Atlas, spec: str) -> str:
    """A specimen string (``confluence_l4_l5,lst_below_ala_right``) as people read it, as
    :func:`atlas_app.scene.compose.variant_names` writes variants (``Where L4 joins L5
    (right): Below the ala``); ``the usual anatomy`` for the defaults; the string itself if
    the atlas cannot read it."""
    try:
        choices = parse_spec(atlas, spec)
    except SpecError:
        return spec
    parts = []
    for g in atlas.variant_groups.values():
        chosen = choices.get(g.id, g.default)
        if chosen != g.default:
            option = next(o for o in g.options if o.id == chosen)
            parts.append(f"{g.name}: {option.name}")
    return "; ".join(parts) or "the usual anatomy"
