"""Transcripts in seed 000's Discord format, written to a file or posted to a Discord webhook.

One conversation reads:

    🍺 **#ai-tavern**
    **Bard Lyralei** → **Merchant Gorin**
    *"Have you heard about the strange lights seen near the old ruins?"*

    **Merchant Gorin** → **Bard Lyralei**
    *"Aye, travelers have been talking about it all week. Bad for business, it is."*

    [Continue Score: 72 | Duration: 2:30 | Topic: rumors]

The footer's score is the conversation's *mean* turn score, rounded: the last score is nearly
always the low one that ended the talk, so the mean says more about how the talk went.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from personae.analytics.metrics import listeners_of, mean_score
from personae.analytics.output import write_text
from personae.analytics.run_data import RunData
from personae.domain import ConversationRecord, Turn
from personae.errors import InputError

log = logging.getLogger(__name__)

DISCORD_MESSAGE_LIMIT = 2000  # characters of `content` Discord accepts in one message
MAX_RETRY_WAIT_S = 60.0  # longest wait for a rate limit; a longer Retry-After is cut to it

_MARKDOWN = re.compile(r"([\\*_~`|>])")


class DiscordPostError(InputError):
    """A webhook refused the transcript (bad URL, deleted webhook) or could not be reached."""


# Formatting -------------------------------------------------------------------------------


def channel_name(room_id: str) -> str:
    """`ai_tavern` -> `#ai-tavern`: Discord channel names are lower case with hyphens."""
    slug = re.sub(r"[^a-z0-9-]+", "-", room_id.lower()).strip("-")
    return f"#{slug or 'room'}"


def escape_markdown(text: str) -> str:
    """Text shown as-is inside Discord markdown: `*` in a line must not end the italics."""
    return _MARKDOWN.sub(r"\\\1", text)


def format_duration(seconds: float) -> str:
    """World seconds as `m:ss` (`2:30`), or `h:mm:ss` from an hour on."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def room_header(run: RunData, room_id: str | None) -> str:
    room = run.room(room_id)
    emoji = room.emoji if room is not None else ""
    name = channel_name(room_id) if room_id is not None else "#world"
    return f"{emoji} **{name}**" if emoji else f"**{name}**"


def _bold_name(run: RunData, persona_id: str) -> str:
    return f"**{escape_markdown(run.persona_name(persona_id))}**"


def turn_block(run: RunData, conversation: ConversationRecord, turn: Turn) -> str:
    """`**A** → **B**` and the italic quoted line; several listeners are joined with commas."""
    listeners = ", ".join(_bold_name(run, p) for p in listeners_of(turn, conversation))
    speaker = _bold_name(run, turn.speaker_id)
    line = escape_markdown(" ".join(turn.text.split()))
    head = f"{speaker} → {listeners}" if listeners else speaker
    return f'{head}\n*"{line}"*'


def footer(run: RunData, conversation: ConversationRecord) -> str:
    score = mean_score(run.turns_of(conversation.id))
    shown = "n/a" if score is None else str(round(score))
    duration = format_duration(run.duration_s(conversation))
    return f"[Continue Score: {shown} | Duration: {duration} | Topic: {conversation.topic}]"


def conversation_blocks(run: RunData, conversation: ConversationRecord) -> list[str]:
    """The parts of one conversation's transcript: header, one block per turn, footer."""
    turns = run.turns_of(conversation.id)
    return [
        room_header(run, conversation.room_id),
        *(turn_block(run, conversation, t) for t in turns),
        footer(run, conversation),
    ]


def conversation_transcript(run: RunData, conversation: ConversationRecord) -> str:
    header, *turns, end = conversation_blocks(run, conversation)
    body = "\n\n".join(turns)
    return f"{header}\n{body}\n\n{end}" if body else f"{header}\n{end}"


def transcripts(run: RunData) -> list[str]:
    """One Discord message text per conversation, in the order the conversations started."""
    ordered = sorted(run.conversations, key=lambda c: (c.started_at_s, c.id))
    return [conversation_transcript(run, c) for c in ordered]


def write_discord_transcript(run: RunData, path: Path) -> Path:
    """All conversations in one Markdown file, separated by a blank line."""
    return write_text(path, "\n\n".join(transcripts(run)) + "\n", "Discord transcript")


# Splitting at Discord's limit -------------------------------------------------------------


def split_message(text: str, limit: int = DISCORD_MESSAGE_LIMIT) -> list[str]:
    """Pieces of at most `limit` characters, cut between turns (blank lines) where possible,
    else between lines, and only a single line longer than `limit` mid-line."""
    if len(text) <= limit:
        return [text]
    units: list[tuple[str, str]] = []  # (separator before it, text)
    for b, block in enumerate(text.split("\n\n")):
        block_separator = "\n\n" if b else ""
        if len(block) <= limit:
            units.append((block_separator, block))
            continue
        for n, line in enumerate(block.split("\n")):
            line_separator = block_separator if n == 0 else "\n"
            for c in range(0, max(len(line), 1), limit):
                units.append((line_separator if c == 0 else "", line[c : c + limit]))
    pieces: list[str] = []
    current = ""
    for separator, unit in units:
        if current and len(current) + len(separator) + len(unit) <= limit:
            current += separator + unit
        else:
            pieces.append(current)
            current = unit
    pieces.append(current)
    return [piece for piece in pieces if piece.strip()]


# Posting ----------------------------------------------------------------------------------


def is_webhook_url(target: str) -> bool:
    """Whether `--discord` names a webhook URL (else it names a file)."""
    return target.startswith(("https://", "http://"))


Sleep = Callable[[float], Awaitable[None]]


@dataclass
class PostResult:
    messages: int = 0
    rate_limited: int = 0
    waits_s: list[float] = field(default_factory=list)


def _seconds(value: str | float | None, default: float = 1.0) -> float:
    """A wait in seconds from a header or JSON value, within [0, MAX_RETRY_WAIT_S]."""
    if value is None:
        return default
    try:
        seconds = float(value)
    except ValueError:
        return default
    return min(max(seconds, 0.0), MAX_RETRY_WAIT_S)


def _retry_after_s(response: httpx.Response) -> float:
    """Seconds Discord asks us to wait: the Retry-After header, else the JSON `retry_after`."""
    header = response.headers.get("Retry-After")
    if header is not None:
        return _seconds(header)
    try:
        body = response.json()
    except ValueError:
        return 1.0
    return _seconds(body.get("retry_after")) if isinstance(body, dict) else 1.0


async def post_messages(
    url: str,
    messages: Sequence[str],
    *,
    client: httpx.AsyncClient | None = None,
    max_retries: int = 3,
    sleep: Sleep = asyncio.sleep,
    username: str | None = "personae",
) -> PostResult:
    """POST each message (split at 2000 characters) to a Discord webhook, in order.

    A 429 answer is honoured: wait Retry-After seconds (at most `MAX_RETRY_WAIT_S`) and try the
    same piece again, at most `max_retries` times. When a 2xx answer says the bucket is empty
    (`X-RateLimit-Remaining: 0`), wait `X-RateLimit-Reset-After` before the next piece.
    """
    result = PostResult()
    own_client = client is None
    http = client or httpx.AsyncClient(timeout=httpx.Timeout(15.0))
    try:
        for message in messages:
            for piece in split_message(message):
                await _post_piece(http, url, piece, username, max_retries, sleep, result)
                result.messages += 1
    finally:
        if own_client:
            await http.aclose()
    return result


async def _post_piece(
    http: httpx.AsyncClient,
    url: str,
    piece: str,
    username: str | None,
    max_retries: int,
    sleep: Sleep,
    result: PostResult,
) -> None:
    payload: dict[str, object] = {"content": piece, "allowed_mentions": {"parse": []}}
    if username:
        payload["username"] = username
    for attempt in range(max_retries + 1):
        try:
            response = await http.post(url, json=payload)
        except httpx.HTTPError as error:
            raise DiscordPostError(
                f"cannot reach the Discord webhook {redacted_url(url)}: {error}; "
                "check the URL and the network"
            ) from error
        if response.status_code == 429 and attempt < max_retries:
            wait = _retry_after_s(response)
            result.rate_limited += 1
            result.waits_s.append(wait)
            log.info("Discord rate limit: waiting %.2f s", wait)
            await sleep(wait)
            continue
        if response.is_success:
            if response.headers.get("X-RateLimit-Remaining") == "0":
                wait = _seconds(response.headers.get("X-RateLimit-Reset-After"))
                result.waits_s.append(wait)
                await sleep(wait)
            return
        raise DiscordPostError(
            f"the Discord webhook {redacted_url(url)} answered {response.status_code} "
            f"{response.reason_phrase}: {response.text[:200]}; "
            + (
                "still rate limited after retries, try again later"
                if response.status_code == 429
                else "check that the webhook URL is complete and the webhook still exists"
            )
        )


def redacted_url(url: str) -> str:
    """The URL without its token: the last path segment of a webhook URL is a secret."""
    head, _, _ = url.rstrip("/").rpartition("/")
    return f"{head}/…" if head.count("/") > 3 else url


async def post_discord_transcript(
    run: RunData,
    url: str,
    *,
    client: httpx.AsyncClient | None = None,
    max_retries: int = 3,
    sleep: Sleep = asyncio.sleep,
) -> PostResult:
    """Post every conversation of the run to a Discord webhook, one message each."""
    return await post_messages(
        url, transcripts(run), client=client, max_retries=max_retries, sleep=sleep
    )
