"""The quiz's topics, and which structures and variant groups each covers."""

from __future__ import annotations

from dataclasses import dataclass

from atlas_app.model.schema import Structure


@dataclass(frozen=True)
class Topic:
    id: str
    name: str
    description: str


TOPICS: dict[str, Topic] = {
    t.id: t
    for t in (
        Topic(
            "lst_formation",
            "Lumbosacral trunk formation",
            "Where L4 joins L5, the trunk's size and its course over the ala.",
        ),
        Topic(
            "root_variants",
            "Root variants",
            "Doubled and plexiform L4 and L5 roots, root sizes, the L5 root on the ala.",
        ),
        Topic(
            "great_vessels",
            "Great vessels",
            "Aorta, vena cava, iliac vessels and their levels; vascular injury.",
        ),
        Topic(
            "iliolumbar_vein",
            "Iliolumbar vein",
            "Number, size and relations of the iliolumbar veins, and why they tear.",
        ),
        Topic(
            "lumbar_plexus",
            "Lumbar plexus and psoas",
            "Femoral, obturator, genitofemoral and lateral femoral cutaneous nerves; the "
            "sympathetic trunk; safe zones through psoas.",
        ),
        Topic(
            "approaches",
            "Approaches",
            "The three anterior approaches to the right ala: steps, structures at risk.",
        ),
        Topic(
            "sacroplasty",
            "Sacroplasty",
            "Insufficiency fractures, Denis zones, needle techniques, cement leaks.",
        ),
        Topic(
            "regional_anatomy",
            "Regional anatomy",
            "Bones, discs, muscles and viscera of the lumbosacral region.",
        ),
    )
}

_STRUCTURE_TOPIC = {
    "lumbosacral_trunk": "lst_formation",
    "l4_ventral_ramus": "lst_formation",
    "l5_ventral_ramus": "root_variants",
    "s1_ventral_ramus": "root_variants",
    "iliolumbar_vein": "iliolumbar_vein",
    "femoral_nerve": "lumbar_plexus",
    "obturator_nerve": "lumbar_plexus",
    "accessory_obturator_nerve": "lumbar_plexus",
    "genitofemoral": "lumbar_plexus",
    "lateral_femoral_cutaneous_nerve": "lumbar_plexus",
    "sympathetic_trunk": "lumbar_plexus",
    "superior_hypogastric_plexus": "approaches",
    "ureter": "approaches",
    "parietal_peritoneum": "approaches",
    "rectus_abdominis": "approaches",
}
_CATEGORY_TOPIC = {
    "artery": "great_vessels",
    "vein": "great_vessels",
    "pathology": "sacroplasty",
    "bone": "regional_anatomy",
    "muscle": "regional_anatomy",
    "viscus": "regional_anatomy",
    "nerve": "lumbar_plexus",
}
_GROUP_TOPIC = {
    "lst_formation": "lst_formation",
    "l4_root_pattern": "root_variants",
    "l5_root_pattern": "root_variants",
    "iliolumbar_veins": "iliolumbar_vein",
    "genitofemoral_division": "lumbar_plexus",
    "accessory_obturator": "lumbar_plexus",
    "great_vessel_levels": "great_vessels",
}


def _stem(structure_id: str) -> str:
    for suffix in ("_right", "_left"):
        if structure_id.endswith(suffix):
            return structure_id[: -len(suffix)]
    return structure_id


def topic_of_structure(structure: Structure) -> str:
    """The topic a question about this structure belongs to."""
    stem = _stem(structure.id)
    for prefix, topic in _STRUCTURE_TOPIC.items():
        if stem == prefix or stem.startswith(prefix + "_"):
            return topic
    return _CATEGORY_TOPIC.get(structure.category, "regional_anatomy")


def topic_of_group(group_id: str) -> str:
    """The topic a question about this variant group belongs to."""
    return _GROUP_TOPIC.get(_stem(group_id), "regional_anatomy")


def topic_name(topic_id: str) -> str:
    topic = TOPICS.get(topic_id)
    return topic.name if topic else topic_id.replace("_", " ")
