"""A small, realistic run built by hand: every figure in the tests is worked out from it.

Crossroads (tick 60 s, clock 600 s = 1/6 h), rooms tavern 🍺 / fortress 🏰 / library 📚.

| id | room     | who                        | topic             | start-end   | exit    | turn scores  |
|----|----------|----------------------------|-------------------|-------------|---------|--------------|
| c1 | tavern   | bard, merchant             | rumors            | 0-150       | bored   | 80, 64       |
| c2 | tavern   | keeper, merchant, bard     | gossip            | 180-300     | tired   | 70, 50, 30   |
| c3 | fortress | king, commander            | military_strategy | 60-150      | urgent  | 90, 70       |
| c4 | fortress | commander, scout           | security          | 240-420     | time    | 60, 40       |
| c5 | fortress | king, scout                | security          | 430-490     | urgent  | 50 (unpriced)|
| c6 | tavern   | keeper, scout              | rumors            | 510-570     | bored   | 60, 40       |
| c7 | fortress | king, commander            | logistics         | 560-running | -       | 55           |

Words spoken: bard 17, merchant 19, keeper 15, king 13, commander 7, scout 10 (81 in all); the
scholar never talks. Migrations: bard tavern->library at 300 and back at 480, scout
fortress->tavern at 500. The fact "lights" goes bard (source, 0 s) -> merchant (30 s, c1) ->
keeper (200 s, c2) -> scout (550 s, c6); merchant hears it again later from keeper (ignored).
"""

from __future__ import annotations

from typing import Any

from personae.analytics import FactLearned, RunData
from personae.domain import (
    ConversationRecord,
    ConversationStatus,
    Migration,
    Persona,
    PersonaSnapshot,
    Relationship,
    Room,
    Turn,
)

TAVERN = Room(
    room_id="ai_tavern",
    name="The Prancing Pony",
    emoji="🍺",
    topic_bias=["rumors", "gossip"],
    energy_regen_rate=2,
)
FORTRESS = Room(
    room_id="ai_fortress",
    name="The Fortress",
    emoji="🏰",
    topic_bias=["security", "logistics"],
    energy_regen_rate=0.5,
)
LIBRARY = Room(
    room_id="ai_library",
    name="The Library",
    emoji="📚",
    topic_bias=["knowledge"],
    energy_regen_rate=1,
)

NAMES = {
    "bard": "Bard Lyralei",
    "merchant": "Merchant Gorin",
    "keeper": "Keeper Bram",
    "king": "King Aldric",
    "commander": "Commander Vex",
    "scout": "Scout Wren",
    "scholar": "Scholar Ione",
}


def persona(persona_id: str) -> Persona:
    return Persona(id=persona_id, name=NAMES.get(persona_id, persona_id.title()))


def turn(
    conversation_id: str,
    index: int,
    speaker: str,
    listeners: list[str],
    text: str,
    score: float,
    at_s: float,
    prompt: int = 0,
    completion: int = 0,
    cost: float | None = 0.0,
    tier: str = "full",
    **fields: Any,
) -> Turn:
    return Turn(
        conversation_id=conversation_id,
        index=index,
        speaker_id=speaker,
        listener_ids=listeners,
        text=text,
        tier=tier,
        score=score,
        world_time_s=at_s,
        prompt_tokens=prompt,
        completion_tokens=completion,
        cost_usd=cost,
        **fields,
    )


def conversation(
    conversation_id: str,
    room: str | None,
    participants: list[str],
    topic: str,
    start: float,
    end: float | None,
    exit_reason: str | None = None,
) -> ConversationRecord:
    return ConversationRecord(
        id=conversation_id,
        room_id=room,
        participants=participants,
        topic=topic,
        started_at_s=start,
        ended_at_s=end,
        exit_reason=exit_reason,
        status=ConversationStatus.ENDED if end is not None else ConversationStatus.ACTIVE,
    )


CONVERSATIONS = [
    conversation("c1", "ai_tavern", ["bard", "merchant"], "rumors", 0, 150, "bored"),
    conversation("c2", "ai_tavern", ["keeper", "merchant", "bard"], "gossip", 180, 300, "tired"),
    conversation(
        "c3", "ai_fortress", ["king", "commander"], "military_strategy", 60, 150, "urgent"
    ),
    conversation("c4", "ai_fortress", ["commander", "scout"], "security", 240, 420, "time"),
    conversation("c5", "ai_fortress", ["king", "scout"], "security", 430, 490, "urgent"),
    conversation("c6", "ai_tavern", ["keeper", "scout"], "rumors", 510, 570, "bored"),
    conversation("c7", "ai_fortress", ["king", "commander"], "logistics", 560, None),
]

TURNS = [
    turn(
        "c1",
        0,
        "bard",
        ["merchant"],
        "Have you heard about the strange lights seen near the old ruins?",
        80,
        0,
        40,
        10,
        0.001,
    ),
    turn(
        "c1",
        1,
        "merchant",
        ["bard"],
        "Aye, travelers have been talking about it all week. Bad for business, it is.",
        64,
        75,
        50,
        12,
        0.002,
    ),
    turn(
        "c2",
        0,
        "keeper",
        ["merchant", "bard"],
        "Another round for my two best customers tonight",
        70,
        180,
        60,
        15,
        0.003,
    ),
    turn(
        "c2",
        1,
        "merchant",
        ["keeper"],
        "Only if the bard pays",
        50,
        220,
        45,
        9,
        0.002,
        tier="constrained",
    ),
    turn(
        "c2",
        2,
        "bard",
        ["keeper"],
        "I should order another round",
        30,
        280,
        0,
        0,
        0.0,
        tier="template",
        is_exit=True,
    ),
    turn("c3", 0, "king", ["commander"], "Report on the northern pass now", 90, 60, 30, 10, 0.001),
    turn("c3", 1, "commander", ["king"], "The pass holds sire", 70, 100, 30, 10, 0.001),
    turn(
        "c4", 0, "scout", ["commander"], "Riders crossed the river at dawn", 60, 240, 20, 5, 0.0005
    ),
    turn(
        "c4",
        1,
        "commander",
        ["scout"],
        "How many riders",
        40,
        330,
        20,
        5,
        0.0005,
        tier="constrained",
    ),
    turn("c5", 0, "king", ["scout"], "Double the watch", 50, 430, 25, 8, None, tier="constrained"),
    turn(
        "c6", 0, "keeper", ["scout"], "They say lights dance over the ruins", 60, 510, 35, 9, 0.001
    ),
    turn(
        "c6",
        1,
        "scout",
        ["keeper"],
        "I saw them myself",
        40,
        540,
        0,
        0,
        0.0,
        tier="template",
        is_exit=True,
    ),
    turn(
        "c7",
        0,
        "king",
        ["commander"],
        "Count the arrows again",
        55,
        570,
        22,
        6,
        0.001,
        tier="constrained",
    ),
]

RELATIONSHIPS = [
    Relationship(a="bard", b="merchant", affinity=40, interactions=2),
    Relationship(a="bard", b="keeper", affinity=30, interactions=1),
    Relationship(a="keeper", b="merchant", affinity=20, interactions=1),
    Relationship(a="commander", b="king", affinity=50, interactions=2),
    Relationship(a="king", b="scout", affinity=10, interactions=1),
    Relationship(a="commander", b="scout", affinity=60, interactions=1),
    Relationship(a="bard", b="king", affinity=-30, interactions=0),
]

MIGRATIONS = [
    Migration(
        persona_id="bard",
        from_room="ai_tavern",
        to_room="ai_library",
        at_s=300,
        reason="low energy",
    ),
    Migration(
        persona_id="bard",
        from_room="ai_library",
        to_room="ai_tavern",
        at_s=480,
        reason="high energy",
    ),
    Migration(
        persona_id="scout",
        from_room="ai_fortress",
        to_room="ai_tavern",
        at_s=500,
        reason="high energy",
    ),
]

BARD_ROOMS = ["ai_tavern"] * 4 + ["ai_library"] * 3 + ["ai_tavern"] * 3
BARD_ENERGY = [90, 80, 70, 60, 50, 60, 70, 80, 85, 90]
BARD_FATIGUE = [10, 20, 30, 40, 50, 40, 30, 20, 15, 10]

SNAPSHOTS = [
    PersonaSnapshot(
        tick=k,
        at_s=60 * (k + 1),
        persona_id="bard",
        room_id=BARD_ROOMS[k],
        social_energy=BARD_ENERGY[k],
        interaction_fatigue=BARD_FATIGUE[k],
        available_time_s=300,
    )
    for k in range(10)
] + [
    PersonaSnapshot(
        tick=k,
        at_s=60 * (k + 1),
        persona_id="king",
        room_id="ai_fortress",
        social_energy=70 - 5 * k,
        interaction_fatigue=5 * k,
        available_time_s=200,
        talking=k in (0, 1),
    )
    for k in range(10)
]

FACTS = [
    FactLearned(
        fact_id="lights",
        text="Strange lights near the old ruins",
        learner_id="scout",
        told_by="keeper",
        at_s=550,
        conversation_id="c6",
    ),
    FactLearned(
        fact_id="lights",
        text="Strange lights near the old ruins",
        learner_id="bard",
        told_by=None,
        at_s=0,
    ),
    FactLearned(
        fact_id="lights",
        text="Strange lights near the old ruins",
        learner_id="keeper",
        told_by="merchant",
        at_s=200,
        conversation_id="c2",
    ),
    FactLearned(
        fact_id="lights",
        text="Strange lights near the old ruins",
        learner_id="merchant",
        told_by="bard",
        at_s=30,
        conversation_id="c1",
    ),
    FactLearned(
        fact_id="lights",
        text="Strange lights near the old ruins",
        learner_id="merchant",
        told_by="keeper",
        at_s=250,
        conversation_id="c2",
    ),
]


def crossroads(**changes: Any) -> RunData:
    """The run described above; keyword arguments replace whole fields."""
    fields: dict[str, Any] = {
        "world_name": "Crossroads",
        "world_description": "A market town below the fortress.",
        "seed": 7,
        "run_id": "run-1",
        "tick_s": 60,
        "clock_s": 600,
        "rooms": [TAVERN, FORTRESS, LIBRARY],
        "personas": [persona(p) for p in NAMES],
        "conversations": CONVERSATIONS,
        "turns": TURNS,
        "relationships": RELATIONSHIPS,
        "migrations": MIGRATIONS,
        "snapshots": SNAPSHOTS,
        "facts": FACTS,
    }
    fields.update(changes)
    return RunData(**fields)


def talk_run(
    pairs: list[tuple[str, str]],
    *,
    words: dict[str, int] | None = None,
    people: list[str] | None = None,
) -> RunData:
    """A bare run where each pair in `pairs` had one conversation; `words` sets how many words
    each persona said (one line each, in its first conversation)."""
    ids = sorted(set(people or []) | {p for pair in pairs for p in pair})
    conversations = [
        conversation(f"t{i}", "ai_tavern", [a, b], "gossip", 10 * i, 10 * i + 5, "bored")
        for i, (a, b) in enumerate(pairs)
    ]
    turns = []
    spoken: set[str] = set()
    for i, (a, b) in enumerate(pairs):
        for speaker, listener in ((a, b), (b, a)):
            if speaker in spoken or not (words or {}).get(speaker):
                continue
            spoken.add(speaker)
            index = len([t for t in turns if t.conversation_id == f"t{i}"])
            turns.append(
                turn(
                    f"t{i}",
                    index,
                    speaker,
                    [listener],
                    " ".join(["word"] * (words or {})[speaker]),
                    50,
                    10 * i,
                )
            )
    return RunData(
        world_name="Talk",
        tick_s=60,
        clock_s=max(60, 10 * len(pairs)),
        rooms=[TAVERN],
        personas=[persona(p) for p in ids],
        conversations=conversations,
        turns=turns,
    )
