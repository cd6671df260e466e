"""Framework validation, compilation (each field matters), blending and the compile cache."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from personae.cards.frameworks.blend import (
    DEFAULT_CONTEXT_WEIGHTS,
    blend,
    context_weights,
    resolve_section,
)
from personae.cards.frameworks.compile import PersonaCompiler, compile_persona
from personae.cards.frameworks.model import Framework
from personae.cards.frameworks.registry import (
    BUILTIN_FRAMEWORKS,
    builtin_frameworks,
    load_frameworks,
    parse_framework,
)
from personae.domain.lorebook import Lorebook, LoreEntry, LorePosition
from personae.domain.persona import BigFive, Persona
from personae.domain.profile import CustomTrait, FrameworkBlending, Profile, VoiceSettings
from personae.errors import InputError

TEMPLATE = (
    "You are {character_name}. {purpose}\n## Who\n{identity}\n## Personality\n"
    "{personality}\n## Behaviour\n{behavior}\n## Knowledge\n{knowledge}\n"
    "## Talk\n{interaction}\n## Truth\n{anti_hallucination}\n## Tools\n{tools}"
)


def _framework(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "framework_id": "test",
        "name": "Test",
        "purpose": "Be a test.",
        "behavioral_patterns": {"curiosity": "asks why"},
        "tool_requirements": {"required": ["dice"], "optional": ["map"]},
        "decision_making": {"approach": "carefully", "risk_tolerance": 0.5},
        "context_requirements": {
            "history_messages": 6,
            "memories": 2,
            "lorebook": True,
            "relationships": True,
            "room": True,
        },
        "interaction_style": {"tone": "calm"},
        "anti_hallucination": {"rules": ["Never invent facts about {{user}}."]},
        "prompt_template": TEMPLATE,
    }
    base.update(changes)
    return base


def _compile(persona: Persona, **framework_changes: Any) -> Any:
    framework = Framework.model_validate(_framework(**framework_changes))
    return compile_persona(
        persona.model_copy(update={"framework": "test"}), {"test": framework}, user_name="Sam"
    )


PERSONA = Persona(id="aria", name="Aria", description="A bard of the north.")


def test_the_four_builtin_frameworks_load_and_compile() -> None:
    frameworks = builtin_frameworks()
    assert sorted(frameworks) == sorted(BUILTIN_FRAMEWORKS)
    for framework_id in frameworks:
        persona = PERSONA.model_copy(update={"framework": framework_id})
        compiled = compile_persona(persona, frameworks)
        assert compiled.persona_id == f"aria@{framework_id}"
        assert "{" not in compiled.system_prompt.replace("{{", "")


@pytest.mark.parametrize(
    ("field", "changed", "where"),
    [
        ("name", "Other Name", "system_prompt"),
        ("purpose", "Be another test.", "system_prompt"),
        ("behavioral_patterns", {"curiosity": "never asks"}, "system_prompt"),
        ("decision_making", {"approach": "recklessly"}, "system_prompt"),
        ("interaction_style", {"tone": "loud"}, "system_prompt"),
        ("anti_hallucination", {"rules": ["Admit ignorance."]}, "system_prompt"),
        ("tool_requirements", {"required": ["compass"], "optional": []}, "system_prompt"),
        ("tool_requirements", {"required": ["compass"], "optional": []}, "tools_required"),
        ("context_requirements", {"history_messages": 2}, "context"),
        ("prompt_template", TEMPLATE + "\nExtra line.", "system_prompt"),
        ("framework_id", "other", "persona_id"),
    ],
)
def test_every_framework_field_changes_the_compiled_persona(
    field: str, changed: Any, where: str
) -> None:
    framework = Framework.model_validate(_framework())
    other = Framework.model_validate(_framework(**{field: changed}))
    persona = PERSONA.model_copy(update={"framework": "test"})
    first = compile_persona(persona, {"test": framework})
    other_persona = persona.model_copy(update={"framework": other.framework_id})
    second = compile_persona(other_persona, {other.framework_id: other})
    assert getattr(first, where) != getattr(second, where)


def test_context_requirements_change_how_much_lore_is_scanned() -> None:
    book = Lorebook(entries=[LoreEntry(keys=["dragon"], content="Dragons!")], scan_depth=10)
    persona = PERSONA.model_copy(update={"lorebook": book})
    messages = ["a dragon", "hello", "hi", "yo"]
    wide = _compile(persona, context_requirements={"history_messages": 6})
    narrow = _compile(persona, context_requirements={"history_messages": 2})
    off = _compile(persona, context_requirements={"lorebook": False})
    assert [i.content for i in wide.scan_lore(messages, random.Random(0)).entries] == ["Dragons!"]
    assert narrow.scan_lore(messages, random.Random(0)).entries == ()
    assert off.scan_lore(messages, random.Random(0)).entries == ()


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"surprise": 1}, "Extra inputs are not permitted"),
        ({"prompt_template": "You are {character_name}."}, "must place"),
        ({"prompt_template": TEMPLATE + "{nonsense}"}, "unknown placeholder"),
        ({"behavioral_patterns": {"x": {"nested": 1}}}, "behavioral_patterns"),
        ({"context_requirements": {"history": 3}}, "context_requirements.history"),
        ({"interaction_style": {"tone": " "}}, "is empty"),
    ],
)
def test_a_framework_that_would_be_partly_ignored_is_refused(
    changes: dict[str, Any], problem: str
) -> None:
    with pytest.raises(InputError, match=problem):
        parse_framework(json.dumps(_framework(**changes)), "bad.json")


def test_empty_sections_may_leave_their_placeholder_out() -> None:
    template = TEMPLATE.replace("\n## Truth\n{anti_hallucination}", "").replace(
        "\n## Tools\n{tools}", ""
    )
    framework = parse_framework(
        json.dumps(
            _framework(anti_hallucination={}, tool_requirements={}, prompt_template=template)
        ),
        "ok.json",
    )
    assert framework.anti_hallucination == {}


def test_user_frameworks_extend_and_override_the_builtin_ones(tmp_path: Path) -> None:
    (tmp_path / "test.json").write_text(json.dumps(_framework()))
    (tmp_path / "neuro.json").write_text(
        json.dumps(_framework(framework_id="neuro", name="My Neuro"))
    )
    frameworks = load_frameworks([tmp_path])
    assert frameworks["test"].name == "Test"
    assert frameworks["neuro"].name == "My Neuro"


def test_the_prompt_has_every_section_of_the_character() -> None:
    persona = Persona(
        id="aria",
        name="Aria",
        description="A bard.",
        topics={"music": 90, "taxes": 10},
        big_five=BigFive(extraversion=90),
        custom_traits=[CustomTrait(name="superstitious", value=80)],
        profile=Profile(
            personality="bright",
            scenario="In {{user}}'s tavern.",
            knowledge_domains=["ballads"],
            topic_avoidances=["debts"],
            quirks=["hums"],
            example_messages="{{char}}: La la!",
            voice=VoiceSettings(style="sing-song"),
        ),
    )
    prompt = _compile(persona).system_prompt
    for expected in (
        "You are Aria. Be a test.",
        "A bard.",
        "bright",
        "outgoing; draws energy from company (strongly)",
        "superstitious (80/100)",
        "hums",
        "Behaviour (Test):",
        "asks why",
        "risk tolerance: 0.5",
        "In Sam's tavern.",
        "ballads",
        "music (90)",
        "Avoids talking about: debts",
        "tone: calm",
        "Voice: sing-song",
        "Aria: La la!",
        "Never invent facts about Sam.",
        "Tools you rely on: dice",
    ):
        assert expected in prompt
    assert "taxes" not in prompt


def test_llm_settings_come_from_the_voice() -> None:
    persona = PERSONA.model_copy(
        update={
            "profile": Profile(
                voice=VoiceSettings(
                    temperature=1.1, max_tokens=200, top_p=0.9, frequency_penalty=0.4
                )
            )
        }
    )
    llm = _compile(persona).llm
    assert (llm.temperature, llm.max_tokens, llm.top_p, llm.frequency_penalty) == (
        1.1,
        200,
        0.9,
        0.4,
    )


def test_card_system_prompt_comes_first_or_wraps_the_original() -> None:
    before = PERSONA.model_copy(
        update={"profile": Profile(system_prompt="Card rules for {{char}}.")}
    )
    assert _compile(before).system_prompt.startswith("Card rules for Aria.\n\nYou are Aria.")
    wrapped = PERSONA.model_copy(
        update={"profile": Profile(system_prompt="Intro.\n{{original}}\nOutro for {{user}}.")}
    )
    prompt = _compile(wrapped).system_prompt
    assert prompt.startswith("Intro.\nYou are Aria.")
    assert prompt.endswith("Outro for Sam.")


def test_nickname_is_what_char_stands_for() -> None:
    persona = PERSONA.model_copy(
        update={"profile": Profile(nickname="Ari", greeting="{{char}} greets <USER>")}
    )
    compiled = _compile(persona)
    assert compiled.greeting == "Ari greets Sam"
    assert compiled.system_prompt.startswith("You are Ari.")


def test_lore_goes_before_and_after_the_character() -> None:
    book = Lorebook(
        entries=[
            LoreEntry(keys=["a"], content="Before {{char}}."),
            LoreEntry(keys=["a"], content="After.", position=LorePosition.AFTER_CHAR),
        ]
    )
    compiled = _compile(PERSONA.model_copy(update={"lorebook": book}))
    text = compiled.system_prompt_with_lore(compiled.scan_lore(["a"], random.Random(0)))
    assert text.startswith("Before Aria.\n\nYou are Aria.")
    assert text.endswith("\n\nAfter.")


def test_the_compiler_recompiles_only_when_an_input_changes() -> None:
    compiler = PersonaCompiler(builtin_frameworks())
    first = compiler.compile(PERSONA)
    assert compiler.compile(PERSONA) is first
    assert compiler.compilations == 1
    changed = PERSONA.model_copy(update={"description": "Changed."})
    assert compiler.compile(changed) is not first
    assert compiler.compilations == 2
    compiler.compile(changed, user_name="Sam")
    assert compiler.compilations == 3
    compiler.frameworks["neuro"] = compiler.frameworks["neuro"].model_copy(update={"name": "N2"})
    compiler.compile(changed, user_name="Sam")
    assert compiler.compilations == 4


def test_an_unknown_framework_or_context_type_is_an_input_error() -> None:
    with pytest.raises(InputError, match="not loaded"):
        compile_persona(PERSONA.model_copy(update={"framework": "nope"}), builtin_frameworks())
    with pytest.raises(InputError, match="unknown context type"):
        compile_persona(PERSONA, builtin_frameworks(), context_type="party")


# --- blending -------------------------------------------------------------------------------------


def test_blending_uses_the_seed_context_weights() -> None:
    assert DEFAULT_CONTEXT_WEIGHTS["technical"] == {"neuro": 0.8, "assistant": 0.2}
    assert context_weights("casual") == {"caring": 0.6, "chaotic": 0.4}
    assert context_weights("casual", {"casual": {"neuro": 1.0}}) == {"neuro": 1.0}


def test_conflicting_strings_go_to_the_weighted_vote() -> None:
    merged = resolve_section(
        [
            ({"tone": "calm"}, 0.3),
            ({"tone": "loud"}, 0.3),
            ({"tone": "loud"}, 0.2),
            ({"tone": "calm"}, 0.1),
        ]
    )
    assert merged == {"tone": "loud"}


def test_conflicting_numbers_go_to_the_weighted_mean() -> None:
    assert resolve_section([({"risk": 1.0}, 0.75), ({"risk": 0.0}, 0.25)]) == {"risk": 0.75}


def test_conflicting_lists_merge_by_weight_keeping_the_top_five() -> None:
    merged = resolve_section([({"p": ["a", "b", "c", "d"]}, 0.6), ({"p": ["E", "f", "B"]}, 0.4)])
    assert merged == {"p": ["b", "a", "c", "d", "E"]}


def test_keys_only_one_framework_sets_are_kept() -> None:
    assert resolve_section([({"x": "1"}, 0.9), ({"y": 2}, 0.1)]) == {"x": "1", "y": 2}


def test_frameworks_at_or_below_a_tenth_are_left_out_of_a_blend() -> None:
    frameworks = builtin_frameworks()
    blended = blend(frameworks["assistant"], frameworks, {"assistant": 0.9, "neuro": 0.1})
    assert blended.behavioral_patterns == frameworks["assistant"].behavioral_patterns


def test_blending_changes_the_prompt_only_when_the_persona_enables_it() -> None:
    frameworks = builtin_frameworks()
    plain = PERSONA.model_copy(update={"framework": "caring"})
    blending = plain.model_copy(update={"framework_blending": FrameworkBlending(enabled=True)})
    assert (
        compile_persona(plain, frameworks, "technical").system_prompt
        == compile_persona(plain, frameworks).system_prompt
    )
    technical = compile_persona(blending, frameworks, "technical")
    assert technical.framework_id == "caring.blend"
    assert "follows an interesting question" in technical.system_prompt  # from neuro
    assert "notices how others feel" not in technical.system_prompt  # caring's own, not weighted
