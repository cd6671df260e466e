from __future__ import annotations

from personae.conversation.quality import denoise, judge, lexical_relevance
from tests.builders import persona

BARD = persona("bard", name="Lyralei", intelligence=80)
SIMPLE = persona("tom", name="Tom", intelligence=40)


def test_denoise_strips_the_speakers_own_name_and_quotes() -> None:
    assert denoise('Lyralei: "Have you heard the news?"', BARD) == "Have you heard the news?"


def test_denoise_drops_repeated_sentences() -> None:
    text = "The ruins glow at night. I saw it. The ruins glow at night."
    assert denoise(text, SIMPLE) == "The ruins glow at night. I saw it."


def test_clever_personas_lose_their_filler_words_others_keep_them() -> None:
    text = "Um, you know, the lights are like, strange."
    assert denoise(text, BARD) == "the lights are strange."
    assert "you know" in denoise(text, SIMPLE)


def test_denoise_keeps_only_our_part_when_the_model_writes_the_reply_too() -> None:
    text = "The roads are unsafe. Gorin: Aye, bad for business."
    assert denoise(text, BARD, others=["Gorin"]) == "The roads are unsafe."


def test_reference_marks_copied_from_training_text_are_dropped() -> None:
    text = "Philosophy enriches life [2] and we must explore other paths. [4."
    assert denoise(text, BARD) == "Philosophy enriches life and we must explore other paths."
    assert denoise("Verse [12] and chorus.", BARD) == "Verse and chorus."
    # Seen in the demo: the mark, then more text that the sentence cut drops.
    cut_after = "Life can be enriched by exploring different fields. [4. Scholars say"
    assert denoise(cut_after, BARD) == "Life can be enriched by exploring different fields."


def test_a_name_mentioned_in_passing_is_not_a_speaker_tag() -> None:
    text = "I told Gorin twice. Ask Gorinson: he knows. Then Gorin : Aye."
    assert denoise(text, BARD, others=["Gorin"]) == "I told Gorin twice. Ask Gorinson: he knows."


def test_a_line_of_fewer_than_three_words_fails() -> None:
    verdict = judge("Aye.", BARD, "rumors", [], ["Gorin"])
    assert not verdict.passed
    assert "too_short" in verdict.failures


def test_repeating_a_recent_turn_fails() -> None:
    recent = [("bard", "Have you heard about the lights near the ruins?")]
    verdict = judge("Have you heard about the lights near the ruins!", BARD, "rumors", recent, [])
    assert verdict.failures == ("repeat",)


def test_echoing_the_other_speaker_fails() -> None:
    recent = [("gorin", "Travelers have been talking about it all week, bad for business")]
    line = "Indeed, travelers have been talking about it all week, bad for business"
    verdict = judge(line, BARD, "rumors", recent, ["Gorin"])
    assert "echo" in verdict.failures


def test_speaking_as_another_persona_or_as_an_ai_fails() -> None:
    recent = [("gorin", "What news from the road?")]
    assert (
        "role_confusion"
        in judge("Gorin: the road is long and dusty", BARD, "road", recent, ["Gorin"]).failures
    )
    assert (
        "role_confusion"
        in judge(
            "As an AI language model, I cannot visit roads.", BARD, "road", recent, ["Gorin"]
        ).failures
    )


def test_reading_the_instructions_aloud_fails_and_their_sentences_are_dropped() -> None:
    # Seen in the demo: SmolLM2 said its whole request back as Lady Serane's line.
    the_ask = (
        "You remember: [the importance of culture in my time]. "
        "Reply to Advisor Morrow as Lady Serane. The topic is culture."
    )
    said_back = "You remember: the importance of culture in my time,]. " + the_ask[54:]
    assert denoise(said_back, BARD, recent=[the_ask]) == ""  # every sentence of it was heard
    own_words = "You remember: the old songs of the court, my lord."
    verdict = judge(own_words, BARD, "culture", [("morrow", "Culture matters.")], ["Morrow"])
    assert "prompt_echo" in verdict.failures
    # A sentence of the request that starts a real line goes; the line stays.
    parroted = "The topic is culture. Our poets outlive our kings."
    assert denoise(parroted, BARD, recent=[the_ask]) == "Our poets outlive our kings."


def test_an_off_topic_line_fails_and_an_on_topic_one_passes() -> None:
    recent = [("gorin", "The caravan from the north brought silk and spices to the market.")]
    good = judge("Silk from the north caravan sells well at market.", BARD, "trade", recent, [])
    bad = judge("Quantum chromodynamics baffles physicists everywhere.", BARD, "trade", recent, [])
    assert good.passed
    assert bad.failures == ("off_topic",)


def test_scores_are_kept_for_the_turn() -> None:
    verdict = judge("The ruins glow at night.", BARD, "rumors", [("gorin", "Ruins?")], [])
    assert set(verdict.scores) == {
        "words",
        "repetition",
        "echo",
        "relevance",
        "role_confusion",
        "prompt_echo",
    }


def test_lexical_relevance_counts_content_words_found_in_the_reference() -> None:
    assert (
        lexical_relevance("dragons burn villages", "the dragons came and burned the village") == 1.0
    )
    assert lexical_relevance("the and of", "anything") == 0.0
