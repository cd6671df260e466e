"""Personas of one run (or outside any run): profile, topic preferences and interaction state."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.sql.dml import Update

from personae.domain.persona import BigFive, InteractionState, Persona, Priority
from personae.store.driver import prepared
from personae.store.errors import NotFoundError
from personae.store.repositories.base import Scope
from personae.store.sql import upsert
from personae.store.tables import persona_states, personas, topic_preferences

# Built once: save_state runs after every turn. The SET clause comes from the parameters.
_UPDATE_STATE = update(persona_states).where(
    persona_states.c.run_id == bindparam("scope"),
    persona_states.c.persona_id == bindparam("persona"),
)
_STATE_KEYS = ("run_id", "persona_id", "updated_at")

_BIG_FIVE = ("openness", "conscientiousness", "extraversion", "agreeableness", "neuroticism")


class PersonaRepository:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def save(self, persona: Persona) -> None:
        """Store the whole persona (profile, topics, state), replacing any stored version."""
        self.save_many([persona])

    def save_many(self, many: Iterable[Persona]) -> None:
        with self._scope.database.write() as connection:
            for persona in many:
                self._save(connection, persona)

    def save_state(self, persona_id: str, state: InteractionState) -> None:
        """Replace only the interaction state: the write made after every turn."""
        with self._scope.database.write() as connection:
            result = connection.execute(
                _UPDATE_STATE,
                {
                    "scope": self._scope.key,
                    "persona": persona_id,
                    **_state_row(state, self._scope.clock()),
                },
            )
            if result.rowcount != 1:
                raise NotFoundError(self._missing(persona_id))

    def save_states(self, states: Mapping[str, InteractionState]) -> None:
        """`save_state` for many personas in one statement: a world tick's idle personas."""
        if not states:
            return
        now, key = self._scope.clock(), self._scope.key
        rows = [(key, pid, *_state_values(state, now)) for pid, state in states.items()]
        database = self._scope.database
        statement = prepared(
            "save states", database.engine.dialect, persona_states, _update_states_statement
        )
        names = ("scope", "persona", *_STATE_COLUMNS)
        saved = database.driver_update_every(
            len(rows), lambda cursor: statement.run_rows(cursor, names, rows)
        )
        if not saved:  # an unknown persona: none saved
            stored = self.ids()
            missing = sorted(pid for pid in states if pid not in stored)
            raise NotFoundError(self._missing(missing[0] if missing else next(iter(states))))

    def get(self, persona_id: str) -> Persona | None:
        found = self.get_many([persona_id])
        return found.get(persona_id)

    def require(self, persona_id: str) -> Persona:
        persona = self.get(persona_id)
        if persona is None:
            raise NotFoundError(self._missing(persona_id))
        return persona

    def get_many(self, persona_ids: Iterable[str]) -> dict[str, Persona]:
        """The stored personas among `persona_ids`, by id; unknown ids are left out."""
        wanted = sorted(set(persona_ids))
        if not wanted:
            return {}
        return {p.id: p for p in self._load(wanted)}

    def ids(self) -> set[str]:
        """The ids of every persona this scope stores."""
        statement = select(personas.c.id).where(personas.c.run_id == self._scope.key)
        with self._scope.database.read() as connection:
            return set(connection.execute(statement).scalars())

    def list(self) -> builtins.list[Persona]:
        """Every persona of this scope, by id."""
        return self._load(None)

    def delete(self, persona_id: str) -> bool:
        with self._scope.database.write() as connection:
            result = connection.execute(
                delete(personas).where(
                    personas.c.run_id == self._scope.key, personas.c.id == persona_id
                )
            )
        return result.rowcount == 1

    def _save(self, connection: Connection, persona: Persona) -> None:
        now = self._scope.clock()
        key = self._scope.key
        profile = {
            "run_id": key,
            "id": persona.id,
            "name": persona.name,
            "description": persona.description,
            "status": persona.status,
            "charisma": persona.charisma,
            "intelligence": persona.intelligence,
            **{trait: getattr(persona.big_five, trait) for trait in _BIG_FIVE},
            "attracted_to": sorted(persona.attracted_to),
            "exit_lines": persona.exit_lines,
            "updated_at": now,
        }
        upsert(connection, personas, profile, ["run_id", "id"])
        upsert(
            connection,
            persona_states,
            {"run_id": key, "persona_id": persona.id, **_state_row(persona.state, now)},
            ["run_id", "persona_id"],
        )
        connection.execute(
            delete(topic_preferences).where(
                topic_preferences.c.run_id == key, topic_preferences.c.persona_id == persona.id
            )
        )
        if persona.topics:
            connection.execute(
                topic_preferences.insert(),
                [
                    {
                        "run_id": key,
                        "persona_id": persona.id,
                        "topic": topic,
                        "preference_score": score,
                        "position": position,
                    }
                    for position, (topic, score) in enumerate(persona.topics.items())
                ],
            )

    def _load(self, persona_ids: builtins.list[str] | None) -> builtins.list[Persona]:
        key = self._scope.key
        state_columns = [c for c in persona_states.c if c.name not in _STATE_KEYS]
        profiles = (
            select(*[c for c in personas.c if c.name != "updated_at"], *state_columns)
            .join(
                persona_states,
                (persona_states.c.run_id == personas.c.run_id)
                & (persona_states.c.persona_id == personas.c.id),
            )
            .where(personas.c.run_id == key)
            .order_by(personas.c.id)
        )
        topics = (
            select(topic_preferences)
            .where(topic_preferences.c.run_id == key)
            .order_by(topic_preferences.c.persona_id, topic_preferences.c.position)
        )
        if persona_ids is not None:
            profiles = profiles.where(personas.c.id.in_(persona_ids))
            topics = topics.where(topic_preferences.c.persona_id.in_(persona_ids))
        with self._scope.database.read() as connection:
            profile_rows = connection.execute(profiles).mappings().all()
            topic_rows = connection.execute(topics).mappings().all()
        topics_by_persona: dict[str, dict[str, int]] = {}
        for row in topic_rows:
            preferences = topics_by_persona.setdefault(row["persona_id"], {})
            preferences[row["topic"]] = row["preference_score"]
        return [_persona(row, topics_by_persona.get(row["id"], {})) for row in profile_rows]

    def _missing(self, persona_id: str) -> str:
        where = f"run {self._scope.run_id!r}" if self._scope.run_id else "outside any run"
        return f"persona {persona_id!r} is not in the store ({where}); save it first"


def _update_states_statement(dialect: str) -> Update:
    """`_UPDATE_STATE` with every state column bound by name, for the driver path."""
    return _UPDATE_STATE.values({name: bindparam(name) for name in _STATE_COLUMNS})


_STATE_COLUMNS = (
    "interest_level",
    "interaction_fatigue",
    "current_priority",
    "available_time_s",
    "social_energy",
    "cooldown_until_s",
    "updated_at",
)
"""A stored state's columns, in `_state_values`' order."""


def _state_values(state: InteractionState, now: float) -> tuple[Any, ...]:
    """A state's column values (see `_STATE_COLUMNS`): as a tuple, since a world tick saves
    thousands of states."""
    return (
        state.interest_level,
        state.interaction_fatigue,
        state.current_priority.value,
        state.available_time_s,
        state.social_energy,
        state.cooldown_until_s,
        now,
    )


def _state_row(state: InteractionState, now: float) -> dict[str, Any]:
    return dict(zip(_STATE_COLUMNS, _state_values(state, now), strict=True))


def _persona(row: RowMapping, topics: dict[str, int]) -> Persona:
    return Persona(
        id=row["id"],
        name=row["name"],
        description=row["description"],
        status=row["status"],
        charisma=row["charisma"],
        intelligence=row["intelligence"],
        big_five=BigFive(**{trait: row[trait] for trait in _BIG_FIVE}),
        topics=topics,
        state=InteractionState(
            interest_level=row["interest_level"],
            interaction_fatigue=row["interaction_fatigue"],
            current_priority=Priority(row["current_priority"]),
            available_time_s=row["available_time_s"],
            social_energy=row["social_energy"],
            cooldown_until_s=row["cooldown_until_s"],
        ),
        attracted_to=frozenset(row["attracted_to"]),
        exit_lines=row["exit_lines"],
    )
