"""Pair cooldowns of one run: when each pair of personas may talk to each other again.

Returned as `{(a, b): until_s}` keyed by `pair_key`, the shape of `dynamics.PairCooldowns.until_s`.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import case, select
from sqlalchemy.sql.dml import Insert

from personae.domain.relationship import pair_key
from personae.store.driver import prepared
from personae.store.repositories.base import Scope
from personae.store.sql import dialect_insert
from personae.store.tables import pair_cooldowns


@cache
def _block_statement(dialect_name: str) -> Insert:
    """Insert a pair's cooldown, keeping an existing later one (built once per dialect)."""
    statement = dialect_insert(dialect_name, pair_cooldowns)
    later = case(
        (statement.excluded.until_s > pair_cooldowns.c.until_s, statement.excluded.until_s),
        else_=pair_cooldowns.c.until_s,
    )
    upsert: Insert = statement.on_conflict_do_update(
        index_elements=["run_id", "a", "b"], set_={"until_s": later}
    )
    return upsert


class CooldownRepository:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def block(self, a: str, b: str, until_s: float) -> None:
        """The pair may not talk again before `until_s`; an existing later time is kept."""
        first, second = pair_key(a, b)
        database = self._scope.database
        block = prepared("block pair", database.engine.dialect, pair_cooldowns, _block_statement)
        with database.driver_write() as cursor:
            block.run(
                cursor, {"run_id": self._scope.key, "a": first, "b": second, "until_s": until_s}
            )

    def until(self, a: str, b: str) -> float:
        """When the pair may talk again (0.0: it never had to wait)."""
        first, second = pair_key(a, b)
        statement = select(pair_cooldowns.c.until_s).where(
            pair_cooldowns.c.run_id == self._scope.key,
            pair_cooldowns.c.a == first,
            pair_cooldowns.c.b == second,
        )
        with self._scope.database.read() as connection:
            found = connection.execute(statement).scalar()
        return 0.0 if found is None else float(found)

    def all(self) -> dict[tuple[str, str], float]:
        statement = select(pair_cooldowns).where(pair_cooldowns.c.run_id == self._scope.key)
        with self._scope.database.read() as connection:
            rows = connection.execute(statement).mappings().all()
        return {(row["a"], row["b"]): row["until_s"] for row in rows}
