from __future__ import annotations

import socket
from pathlib import Path

import pytest

from personae.analytics import discord
from personae.analytics.discord import DiscordPostError
from tests.analytics.builders import crossroads, turn
from tests.analytics.webhook_server import Reply, webhook_server

SEED_EXAMPLE = """🍺 **#ai-tavern**
**Bard Lyralei** → **Merchant Gorin**
*"Have you heard about the strange lights seen near the old ruins?"*

**Merchant Gorin** → **Bard Lyralei**
*"Aye, travelers have been talking about it all week. Bad for business, it is."*

[Continue Score: 72 | Duration: 2:30 | Topic: rumors]"""


def _c(conversation_id: str) -> str:
    run = crossroads()
    conversation = next(c for c in run.conversations if c.id == conversation_id)
    return discord.conversation_transcript(run, conversation)


def test_a_conversation_reads_exactly_like_the_seed_example() -> None:
    assert _c("c1") == SEED_EXAMPLE


def test_room_ids_become_discord_channel_names() -> None:
    assert discord.channel_name("ai_tavern") == "#ai-tavern"
    assert discord.channel_name("Great Hall") == "#great-hall"


def test_a_line_to_several_listeners_names_them_all() -> None:
    assert "**Keeper Bram** → **Merchant Gorin**, **Bard Lyralei**\n" in _c("c2")


def test_the_footer_shows_the_mean_score_rounded() -> None:
    assert _c("c2").endswith("[Continue Score: 50 | Duration: 2:00 | Topic: gossip]")


def test_a_running_conversation_shows_its_duration_so_far() -> None:
    assert _c("c7").endswith("[Continue Score: 55 | Duration: 0:40 | Topic: logistics]")


def test_a_room_without_emoji_has_a_plain_header() -> None:
    run = crossroads()
    bare = run.rooms[0].model_copy(update={"emoji": ""})
    run = crossroads(rooms=[bare, *run.rooms[1:]])

    assert discord.conversation_transcript(run, run.conversations[0]).startswith("**#ai-tavern**\n")


def test_markdown_in_a_line_is_escaped_so_the_italics_hold() -> None:
    run = crossroads(turns=[turn("c1", 0, "bard", ["merchant"], "a *bold* claim_here", 50, 0)])

    assert '*"a \\*bold\\* claim\\_here"*' in discord.conversation_transcript(
        run, run.conversations[0]
    )


def test_durations_read_as_minutes_and_seconds_then_hours() -> None:
    assert [discord.format_duration(s) for s in (0, 59.6, 150, 3725)] == [
        "0:00",
        "1:00",
        "2:30",
        "1:02:05",
    ]


def test_the_transcript_file_holds_every_conversation_in_start_order(tmp_path: Path) -> None:
    path = discord.write_discord_transcript(crossroads(), tmp_path / "discord.md")
    text = path.read_text(encoding="utf-8")

    assert text.startswith(SEED_EXAMPLE + "\n\n🏰 **#ai-fortress**")
    assert text.count("[Continue Score:") == 7


def test_a_long_message_splits_between_turns_under_the_limit() -> None:
    blocks = [f'**A** → **B**\n*"{"x" * 80} {i}"*' for i in range(40)]
    message = "\n\n".join(blocks)
    pieces = discord.split_message(message, limit=500)

    assert all(len(p) <= 500 for p in pieces)
    assert "\n\n".join(pieces) == message


def test_a_single_line_longer_than_the_limit_is_cut() -> None:
    pieces = discord.split_message("y" * 4500)

    assert [len(p) for p in pieces] == [2000, 2000, 500]


def test_webhook_targets_are_told_apart_from_files() -> None:
    assert discord.is_webhook_url("https://discord.com/api/webhooks/1/abc")
    assert not discord.is_webhook_url("out/discord.md")


class _Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


async def test_posting_sends_one_message_per_conversation_in_order() -> None:
    with webhook_server() as server:
        result = await discord.post_discord_transcript(crossroads(), server.url, sleep=_Sleeps())

    assert result.messages == 7
    assert server.requests[0]["content"] == SEED_EXAMPLE
    assert server.requests[0]["allowed_mentions"] == {"parse": []}
    assert server.paths[0] == "/api/webhooks/123456/secret-token"


async def test_a_429_is_honoured_with_retry_after_and_the_piece_is_sent_again() -> None:
    sleeps = _Sleeps()
    rate_limited = Reply(
        429,
        {"Retry-After": "0.25"},
        {"message": "You are being rate limited.", "retry_after": 0.25, "global": False},
    )

    with webhook_server([Reply(), rate_limited]) as server:
        result = await discord.post_messages(server.url, ["one", "two", "three"], sleep=sleeps)

    assert [r["content"] for r in server.requests] == ["one", "two", "two", "three"]
    assert sleeps.waits == [0.25]
    assert result.rate_limited == 1


async def test_retry_after_from_the_json_body_when_the_header_is_missing() -> None:
    sleeps = _Sleeps()

    with webhook_server([Reply(429, {}, {"retry_after": 1.5})]) as server:
        await discord.post_messages(server.url, ["one"], sleep=sleeps)

    assert sleeps.waits == [1.5]


async def test_an_empty_bucket_waits_for_its_reset_before_the_next_message() -> None:
    sleeps = _Sleeps()

    with webhook_server(
        [Reply(204, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": "0.5"})]
    ) as server:
        await discord.post_messages(server.url, ["one", "two"], sleep=sleeps)

    assert sleeps.waits == [0.5]
    assert len(server.requests) == 2


async def test_retries_are_bounded_and_then_the_error_says_so() -> None:
    limited = [Reply(429, {"Retry-After": "0.01"}, {"retry_after": 0.01}) for _ in range(10)]

    with (
        webhook_server(limited) as server,
        pytest.raises(DiscordPostError, match="still rate limited"),
    ):
        await discord.post_messages(server.url, ["one"], max_retries=2, sleep=_Sleeps())

    assert len(server.requests) == 3


async def test_a_refused_webhook_is_an_error_that_hides_the_token() -> None:
    refused = Reply(404, {}, {"message": "Unknown Webhook", "code": 10015})

    with (
        webhook_server([refused]) as server,
        pytest.raises(DiscordPostError, match="answered 404") as raised,
    ):
        await discord.post_messages(server.url, ["one"], sleep=_Sleeps())

    assert "secret-token" not in str(raised.value)
    assert "/api/webhooks/123456/…" in str(raised.value)


async def test_an_unreachable_webhook_is_an_error_naming_it() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/api/webhooks/1/token"

    with pytest.raises(DiscordPostError, match="cannot reach the Discord webhook"):
        await discord.post_messages(url, ["one"], sleep=_Sleeps())


async def test_a_long_conversation_is_posted_in_pieces_under_discords_limit() -> None:
    long_turns = [turn("c1", i, "bard", ["merchant"], "la " * 150, 60, i) for i in range(12)]
    run = crossroads(turns=long_turns)

    with webhook_server() as server:
        await discord.post_discord_transcript(run, server.url, sleep=_Sleeps())

    assert len(server.requests) > 7
    assert all(len(r["content"]) <= 2000 for r in server.requests)


async def test_a_huge_or_unreadable_retry_after_is_bounded() -> None:
    sleeps = _Sleeps()
    script = [Reply(429, {"Retry-After": "86400"}), Reply(429, {"Retry-After": "soon"})]

    with webhook_server(script) as server:
        await discord.post_messages(server.url, ["one"], sleep=sleeps)

    assert sleeps.waits == [discord.MAX_RETRY_WAIT_S, 1.0]
    assert len(server.requests) == 3
