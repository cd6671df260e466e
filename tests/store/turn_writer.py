"""A process that appends turns as fast as it can, for the crash test.

    python -m tests.store.turn_writer DATABASE CONVERSATION STOP_AT

Creates the conversation if needed, continues at the store's next index, and first appends the
last stored turn again (what a resumed engine does when unsure whether it was committed). Prints
`replayed INDEX INSERTED` for that, then each index once its turn is committed.
"""

from __future__ import annotations

import sys

from personae.store import open_store
from tests.store.builders import conversation, turn


def main(database: str, conversation_id: str, stop_at: int) -> None:
    with open_store(database) as store:
        if store.conversations.get(conversation_id) is None:
            store.conversations.create(conversation(conversation_id))
        start = store.turns.next_index(conversation_id)
        if start > 0:
            inserted = store.turns.append(turn(start - 1, conversation_id))
            print(f"replayed {start - 1} {inserted}", flush=True)
        for index in range(start, stop_at):
            store.turns.append(turn(index, conversation_id))
            print(index, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
