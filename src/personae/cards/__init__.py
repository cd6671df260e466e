"""Character cards (V1/V2/V3 in JSON, PNG and CHARX), lorebooks, behavioural frameworks and
prompt compilation, persona creation and message routing.

Imports `personae.domain`, `personae.errors` and `personae.files`; nothing above them.
"""

from personae.cards.card_codec import card_from_persona, persona_from_card
from personae.cards.exporter import card_json, card_png, export_card, write_export
from personae.cards.frameworks.blend import CONTEXT_TYPES, blend
from personae.cards.frameworks.compile import CompiledPersona, PersonaCompiler, compile_persona
from personae.cards.frameworks.model import Framework
from personae.cards.frameworks.registry import builtin_frameworks, load_frameworks
from personae.cards.importer import ImportedCard, decode_card, read_card
from personae.cards.limits import CardLimits
from personae.cards.lore_scan import LoreActivation, LoreSettings, activate
from personae.cards.lorebook_file import lorebook_from_json, read_lorebook
from personae.cards.lorebook_format import lorebook_v3_json
from personae.cards.router import RouteDecision, RouterSettings, RouterState, route

__all__ = [
    "CONTEXT_TYPES",
    "CardLimits",
    "CompiledPersona",
    "Framework",
    "ImportedCard",
    "LoreActivation",
    "LoreSettings",
    "PersonaCompiler",
    "RouteDecision",
    "RouterSettings",
    "RouterState",
    "activate",
    "blend",
    "builtin_frameworks",
    "card_from_persona",
    "card_json",
    "card_png",
    "compile_persona",
    "decode_card",
    "export_card",
    "load_frameworks",
    "lorebook_from_json",
    "lorebook_v3_json",
    "persona_from_card",
    "read_card",
    "read_lorebook",
    "route",
    "write_export",
]
