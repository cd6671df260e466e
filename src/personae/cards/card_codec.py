"""Character card JSON (V1, V2, V3 and hybrids) to a persona and back.

Card fields map onto `Persona` and its `Profile`; personae's own fields (traits, topics, status,
interaction state, framework, ...) travel under `data.extensions.personae`, so an exported card
stays a valid card everywhere else. Card fields personae does not model are kept in
`Persona.card` and written back on export: nothing a card carries is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ValidationError

from personae.cards import coerce
from personae.cards.coerce import CardFieldError
from personae.cards.lorebook_format import book_from_card, book_to_card
from personae.cards.persona_ids import check_name, persona_id_for
from personae.domain.persona import Persona
from personae.domain.profile import CardRecord, CardSpec, Profile

PERSONAE_EXTENSION = "personae"
V1_FIELDS = ("name", "description", "personality", "scenario", "first_mes", "mes_example")
_V2_DATA_FIELDS = {
    *V1_FIELDS, "creator_notes", "system_prompt", "post_history_instructions",
    "alternate_greetings", "character_book", "tags", "creator", "character_version", "extensions",
}  # fmt: skip
_V3_DATA_FIELDS = {
    "assets", "nickname", "creator_notes_multilingual", "source", "group_only_greetings",
    "creation_date", "modification_date",
}  # fmt: skip
_DATA_FIELDS = _V2_DATA_FIELDS | _V3_DATA_FIELDS
# Persona fields that are personae's own, carried in extensions.personae.
_PERSONAE_FIELDS = (
    "id", "status", "charisma", "intelligence", "big_five", "topics", "state", "attracted_to",
    "exit_lines", "ai_traits", "custom_traits", "framework", "framework_blending", "routing",
    "memory", "privacy",
)  # fmt: skip
# Profile fields no card spec has; they travel in extensions.personae.profile.
_PROFILE_ONLY_FIELDS = ("quirks", "knowledge_domains", "topic_avoidances", "voice")

CardFormat = Literal["v2", "v3"]


@dataclass
class DecodedCard:
    """A persona read from card JSON, with notes on anything that was unusual."""

    persona: Persona
    warnings: list[str] = field(default_factory=list)


class NotACardError(ValueError):
    """The JSON is valid but is not a character card (e.g. it is a lorebook)."""


def persona_from_card(raw: Any) -> DecodedCard:
    """Read card JSON of any version into a persona; wrong types raise `CardFieldError`."""
    if not isinstance(raw, dict):
        raise NotACardError(f"a character card is a JSON object, this is {_kind(raw)}")
    coerce.check_nesting(raw, "(card)")
    spec_text = coerce.text(raw.get("spec"), "spec")
    if spec_text == "lorebook_v3" or isinstance(raw.get("entries"), dict | list):
        raise NotACardError("this is a lorebook, not a character card (see `personae lore`)")
    warnings: list[str] = []
    data_raw = raw.get("data")
    if isinstance(data_raw, dict):
        data, data_path, spec = data_raw, "data", _spec(spec_text, warnings)
    elif data_raw is None and ("name" in raw or "char_name" in raw):
        data, data_path, spec = _v1_data(raw), "", "chara_card_v1"
    else:
        raise NotACardError("no character data: expected 'data' (V2/V3) or 'name' (V1)")
    where = (lambda name: f"{data_path}.{name}") if data_path else (lambda name: name)
    name = coerce.text(data.get("name"), where("name")).strip()
    if not name:
        raise CardFieldError(where("name"), "the character has no name")
    check_name(name, where("name"))
    extensions = dict(coerce.mapping(data.get("extensions"), where("extensions")))
    own = coerce.mapping(extensions.pop(PERSONAE_EXTENSION, None), where("extensions.personae"))
    data_extra = {key: value for key, value in data.items() if key not in _DATA_FIELDS}
    profile = _profile(data, where, data_extra, warnings)
    book_raw = data.get("character_book")
    record = CardRecord(
        spec=spec,
        spec_version=coerce.text(raw.get("spec_version"), "spec_version", _default_version(spec)),
        data_extra=data_extra,
        top_level_extra=_top_level_extra(raw, spec),
    )
    persona_fields: dict[str, Any] = {
        "id": persona_id_for(name),
        "name": name,
        "description": coerce.text(data.get("description"), where("description")),
        "lorebook": None if book_raw is None else book_from_card(book_raw, where("character_book")),
        "extensions": extensions,
        "card": record,
    }
    persona_fields.update({key: own[key] for key in _PERSONAE_FIELDS if key in own})
    persona_fields["profile"] = _merge_profile(profile, own, where("extensions.personae"))
    try:
        persona = Persona.model_validate(persona_fields)
    except ValidationError as error:
        raise _field_error(error, where) from None
    return DecodedCard(persona=persona, warnings=warnings)


def card_from_persona(persona: Persona, card_format: CardFormat) -> dict[str, Any]:
    """The persona as V2 or V3 card JSON (V1 fields mirrored at the top level, as SillyTavern
    writes them, for V1-only readers)."""
    profile = persona.profile
    record = persona.card or CardRecord()
    v3 = card_format == "v3"
    data: dict[str, Any] = dict(record.data_extra)
    data.update(
        name=persona.name,
        description=persona.description,
        personality=profile.personality,
        scenario=profile.scenario,
        first_mes=profile.greeting,
        mes_example=profile.example_messages,
        creator_notes=profile.creator_notes,
        system_prompt=profile.system_prompt,
        post_history_instructions=profile.post_history_instructions,
        alternate_greetings=list(profile.alternate_greetings),
        tags=list(profile.tags),
        creator=profile.creator,
        character_version=profile.version,
    )
    own = _personae_extension(persona, include_v3_fields=not v3)
    if v3:
        data["group_only_greetings"] = list(profile.group_only_greetings)
        for key, value in _v3_fields(profile).items():
            if value not in (None, "", [], {}):
                data[key] = value
    if persona.lorebook is not None:
        data["character_book"] = book_to_card(persona.lorebook, v3=v3)
    data["extensions"] = {**persona.extensions, PERSONAE_EXTENSION: own}
    card: dict[str, Any] = dict(record.top_level_extra)
    card.update({key: data[key] for key in V1_FIELDS})
    card.update(
        spec="chara_card_v3" if v3 else "chara_card_v2",
        spec_version="3.0" if v3 else "2.0",
        data=data,
    )
    return card


# --- import helpers -------------------------------------------------------------------------------


def _spec(spec_text: str, warnings: list[str]) -> CardSpec:
    if spec_text == "chara_card_v3":
        return "chara_card_v3"
    if spec_text == "chara_card_v2":
        return "chara_card_v2"
    if spec_text.startswith("chara_card_v"):
        warnings.append(f"unknown card spec {spec_text!r}: read as V3, newer fields are kept")
        return "chara_card_v3"
    if spec_text:
        warnings.append(f"unknown card spec {spec_text!r}: read as V2")
    return "chara_card_v2"


def _default_version(spec: CardSpec) -> str:
    return {"chara_card_v1": "1.0", "chara_card_v2": "2.0", "chara_card_v3": "3.0"}[spec]


def _v1_data(raw: dict[str, Any]) -> dict[str, Any]:
    """A V1 card's fields as V2 `data` (older Pygmalion exports say char_name/char_persona)."""
    data = {key: raw[key] for key in V1_FIELDS if key in raw}
    aliases = {
        "char_name": "name", "char_persona": "personality", "world_scenario": "scenario",
        "char_greeting": "first_mes", "example_dialogue": "mes_example",
    }  # fmt: skip
    for old, new in aliases.items():
        if new not in data and old in raw:
            data[new] = raw[old]
    if "creatorcomment" in raw:
        data["creator_notes"] = raw["creatorcomment"]
    for key in ("tags", "creator", "character_version", "extensions"):
        if key in raw:
            data[key] = raw[key]
    return data


def _top_level_extra(raw: dict[str, Any], spec: CardSpec) -> dict[str, Any]:
    consumed = {"spec", "spec_version", "data", *V1_FIELDS}
    if spec == "chara_card_v1":
        consumed |= {
            "creatorcomment", "tags", "creator", "character_version", "extensions", "char_name",
            "char_persona", "world_scenario", "char_greeting", "example_dialogue",
        }  # fmt: skip
    return {key: value for key, value in raw.items() if key not in consumed}


def _profile(
    data: dict[str, Any], where: Any, data_extra: dict[str, Any], warnings: list[str]
) -> dict[str, Any]:
    profile: dict[str, Any] = {
        "personality": coerce.text(data.get("personality"), where("personality")),
        "scenario": coerce.text(data.get("scenario"), where("scenario")),
        "greeting": coerce.text(data.get("first_mes"), where("first_mes")),
        "example_messages": coerce.text(data.get("mes_example"), where("mes_example")),
        "creator_notes": coerce.text(data.get("creator_notes"), where("creator_notes")),
        "system_prompt": coerce.text(data.get("system_prompt"), where("system_prompt")),
        "post_history_instructions": coerce.text(
            data.get("post_history_instructions"), where("post_history_instructions")
        ),
        "alternate_greetings": coerce.text_list(
            data.get("alternate_greetings"), where("alternate_greetings")
        ),
        "tags": coerce.text_list(data.get("tags"), where("tags")),
        "creator": coerce.text(data.get("creator"), where("creator")),
        "version": coerce.text(data.get("character_version"), where("character_version")),
        "nickname": coerce.text(data.get("nickname"), where("nickname")),
        "group_only_greetings": coerce.text_list(
            data.get("group_only_greetings"), where("group_only_greetings")
        ),
        "source": coerce.text_list(data.get("source"), where("source")),
        "assets": coerce.mapping_list(data.get("assets"), where("assets")),
        "creator_notes_multilingual": coerce.text_mapping(
            data.get("creator_notes_multilingual"), where("creator_notes_multilingual")
        ),
    }
    for key in ("creation_date", "modification_date"):
        value = data.get(key)
        moment = coerce.timestamp(value)
        if moment is None and value not in (None, ""):
            data_extra[key] = value  # unreadable: kept as it was, written back on export
            warnings.append(f"{where(key)} {value!r} is not a date personae can read; kept as is")
        profile[key] = moment
    return profile


def _merge_profile(card_profile: dict[str, Any], own: dict[str, Any], path: str) -> Any:
    """Card fields win; extensions.personae.profile adds what cards lack (and, in a V2 card
    exported by personae, the V3-only fields)."""
    extra = coerce.mapping(own.get("profile"), f"{path}.profile")
    merged = dict(card_profile)
    for key, value in extra.items():
        if key in _PROFILE_ONLY_FIELDS or merged.get(key) in (None, "", [], {}):
            merged[key] = value
    return merged


def _field_error(error: ValidationError, where: Any) -> CardFieldError:
    """The first problem, named by its place in the card JSON."""
    first = error.errors(include_url=False)[0]
    location = [str(part) for part in first["loc"]]
    head = location[0] if location else ""
    if head in _PERSONAE_FIELDS or (
        head == "profile" and len(location) > 1 and location[1] in _PROFILE_ONLY_FIELDS
    ):
        path = where(".".join(["extensions", "personae", *location]))
    elif head == "profile" and len(location) > 1:
        path = where(_CARD_NAME_OF.get(location[1], location[1]))
    elif head == "lorebook":
        path = where(".".join(["character_book", *location[1:]]))
    else:
        path = where(".".join(location) or "name")
    return CardFieldError(path, first["msg"])


_CARD_NAME_OF = {
    "greeting": "first_mes",
    "example_messages": "mes_example",
    "version": "character_version",
}


# --- export helpers -------------------------------------------------------------------------------


def _personae_extension(persona: Persona, include_v3_fields: bool) -> dict[str, Any]:
    dumped = persona.model_dump(mode="json", include=set(_PERSONAE_FIELDS), exclude_defaults=True)
    dumped["id"] = persona.id
    profile = persona.profile.model_dump(
        mode="json", include=set(_PROFILE_ONLY_FIELDS), exclude_defaults=True
    )
    if include_v3_fields:
        profile.update(
            {
                key: value
                for key, value in _v3_fields(persona.profile).items()
                if value not in (None, "", [], {})
            }
        )
        if persona.profile.group_only_greetings:
            profile["group_only_greetings"] = list(persona.profile.group_only_greetings)
    if profile:
        dumped["profile"] = profile
    return dumped


def _v3_fields(profile: Profile) -> dict[str, Any]:
    return {
        "nickname": profile.nickname,
        "creator_notes_multilingual": dict(profile.creator_notes_multilingual),
        "source": list(profile.source),
        "assets": [dict(asset) for asset in profile.assets],
        "creation_date": profile.creation_date,
        "modification_date": profile.modification_date,
    }


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "text"
    return "a " + type(value).__name__
