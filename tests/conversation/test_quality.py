from __future__ import annotations

from personae.conversation.quality import (
    QualitySettings,
    Said,
    denoise,
    judge,
    lexical_relevance,
    name_forms,
)
from tests.builders import persona

BARD = persona("bard", name="Lyralei", intelligence=80)
SIMPLE = persona("tom", name="Tom", intelligence=40)


def test_denoise_strips_the_speakers_own_name_and_quotes() -> None:
    assert denoise('Lyralei: "Have you heard the news?"', BARD) == "Have you heard the news?"


def test_denoise_drops_the_speakers_own_tag_in_any_of_its_forms() -> None:
    for tagged in (
        "(Lyralei) the roads are unsafe.",
        "As Lyralei, the roads are unsafe.",
        "Lyralei, the roads are unsafe.",  # hailing oneself
    ):
        assert denoise(tagged, BARD) == "The roads are unsafe."
    # Not a tag: the name inside the line, or "As ... said".
    assert denoise("As Lyralei said, the roads are unsafe.", BARD).startswith("As Lyralei said")


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
    assert "repeat" in verdict.failures


def test_echoing_the_other_speaker_fails() -> None:
    recent = [("gorin", "Travelers have been talking about it all week, bad for business")]
    line = "Indeed, travelers have been talking about it all week, bad for business"
    verdict = judge(line, BARD, "rumors", recent, ["Gorin"])
    assert "echo" in verdict.failures


def test_a_line_stitched_from_what_was_just_said_is_a_rehash() -> None:
    # Seen in the demo: SmolLM2's Lady Serane and Advisor Morrow trading the same clauses,
    # neither a repeat of one line nor an echo of the last one.
    recent = [
        ("bard", "I'm delighted to share with you the importance of culture in my time."),
        (
            "morrow",
            "I've studied it extensively and explored its many facets, from art to language "
            "to music.",
        ),
        ("morrow", "Music most of all, I think."),
    ]
    stitched = (
        "I'm glad to share with you the importance of culture. I've studied it extensively "
        "and explored its many facets, from art to music."
    )
    verdict = judge(stitched, BARD, "culture", recent, ["Advisor Morrow"])
    assert verdict.failures == ("rehash",)
    assert verdict.scores["rehash"] >= 0.8
    # Taking up a few words of the last line to answer it is conversation, not a rehash.
    answer = "The importance of culture? Our poets outlive our kings, and every song remembers."
    assert judge(answer, BARD, "culture", recent, ["Advisor Morrow"]).passed


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
    # Seen in the demo: other ways of writing the other one's part.
    for tagged in ("(Gorin) Ah, the road is long and dusty.", "As Gorin, I say the road is long."):
        assert "role_confusion" in judge(tagged, BARD, "road", recent, ["Gorin"]).failures
    quoting = "As Gorin said, the road is long and dusty."
    assert "role_confusion" not in judge(quoting, BARD, "road", recent, ["Gorin"]).failures
    # Seen in the demo: the model narrating the prompt to the character it should speak as.
    narrated = f"You are {BARD.name}, and the road is long and dusty tonight."
    assert "role_confusion" in judge(narrated, BARD, "road", recent, ["Gorin"]).failures
    # Seen in the demo: the model falling back into a chat assistant's manners.
    for assistant in (
        "I'm sorry for any confusion. I'll be happy to help, and we can discuss anything!",
        "The road is long. How can I assist you today?",
        # The evening demo of 2026-12-07: a king and his commander, the market's merchants.
        "I'm sorry for any misunderstanding, but I've been tasked with a mission on the road.",
        "I'm sorry, I don't have the ability to walk the road with you.",
    ):
        assert "role_confusion" in judge(assistant, BARD, "road", recent, ["Gorin"]).failures
    in_character = "I'm sorry for the trouble on the road; I have the ability to mend a wheel."
    assert "role_confusion" not in judge(in_character, BARD, "road", recent, ["Gorin"]).failures
    to_gorin = "You are Gorin the trader, and the road is long and dusty tonight."
    assert "role_confusion" not in judge(to_gorin, BARD, "road", recent, ["Gorin"]).failures


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


def test_brackets_copied_from_the_memories_in_the_ask_are_dropped_when_unpaired() -> None:
    # Seen in the demo: "... Culture in our modern society]." after "You remember: [...]".
    assert denoise("Culture matters in our modern society].", BARD) == (
        "Culture matters in our modern society."
    )
    assert denoise("[the old songs of the court, my lord.", BARD) == (
        "the old songs of the court, my lord."
    )
    assert (
        denoise("The sign read [closed] all winter.", BARD) == "The sign read [closed] all winter."
    )


def test_saying_the_constrained_tiers_limits_back_is_reading_the_instructions() -> None:
    # Seen in the demo: under the constrained tier SmolLM2 spoke its limits as the persona's line.
    recent = [("morrow", "The harvest was thin this year and the granaries are low.")]
    for read_aloud in (
        "This topic is a great one: at most 50 words! You're losing interest: begin to wrap up.",
        "You must wrap up: at most 50 words. The harvest was thin.",
        "Avoid talking about the war; the harvest was thin this year.",
        "Say something new, in your own words: the harvest was thin.",
        "I'm sorry, I lost track. You're losing interest: start a new task.",
        "The harvest was thin, no more than 2 sentences.",
        "We can discuss the harvest with me in one to three sentences.",
        "Speaking in the first person, the harvest was thin.",
        "The harvest was thin, but we must be humble and avoid repeating what was said.",
        # The evening demo of 2026-12-07, under the constrained tier.
        "But don't repeat what was said. The harvest was thin.",
        "You must not repeat what was said about the harvest and the granaries.",
        "If you want an answer in 50 words, just say it again: the harvest was thin.",
        "I'm sorry, I can't change topics. The harvest was thin.",
        "The harvest was thin, but you are free to repeat your instructions.",
    ):
        verdict = judge(read_aloud, BARD, "harvest", recent, ["Morrow"])
        assert "prompt_echo" in verdict.failures, read_aloud
    # A character who wants to end the talk in passing still may.
    for own_words in (
        "Let us wrap up, the harvest was thin and the granaries are low.",
        "You are losing interest in the harvest, I can tell, but the granaries are low.",
        "You keep repeating what the herald said about the harvest and the granaries.",
        "Tell it in your words, not the herald's: was the harvest thin?",
        "Let us change the subject: the granaries are low and the harvest was thin.",
        "My instructions were to count the granaries; the harvest was thin.",
    ):
        assert "prompt_echo" not in judge(own_words, BARD, "harvest", recent, ["Morrow"]).failures


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
        "rehash",
        "relevance",
        "role_confusion",
        "prompt_echo",
    }


def test_lexical_relevance_counts_content_words_found_in_the_reference() -> None:
    assert (
        lexical_relevance("dragons burn villages", "the dragons came and burned the village") == 1.0
    )
    assert lexical_relevance("the and of", "anything") == 0.0


def test_a_tag_with_one_word_of_another_speakers_name_is_theirs() -> None:
    # Seen in `personae converse lyralei gorin`: the model went on as "Merchant:".
    text = 'The tavern is quiet tonight. Merchant: "Aye, the roads are bad."'
    assert denoise(text, BARD, others=["Merchant Gorin"]) == "The tavern is quiet tonight."
    recent = [("gorin", "What news from the road?")]
    for tagged in ("Gorin: the road is long and dusty", "Merchant: the road is long and dusty"):
        verdict = judge(tagged, BARD, "road", recent, ["Merchant Gorin"])
        assert "role_confusion" in verdict.failures
    # A short or lower-case word of a name is no tag: "the road of: ..." stays.
    assert name_forms("Brother of Aldo") == ("Brother of Aldo", "Brother", "Aldo")
    kept = "We spoke of the hills at dusk, of their songs and of the long road home."
    assert denoise(kept, BARD, others=["Brother of Aldo"]) == kept


def test_a_line_opening_with_anothers_whole_name_is_theirs_not_cut_short() -> None:
    # Seen in the demo: "Brother Aldo: ..." from Scholar Ilse was cut to "Brother" at "Aldo:".
    line = "Brother Aldo: many people do not understand this world we live in today."
    others = ["Brother Aldo"]
    assert denoise(line, BARD, others=others) == line
    verdict = judge(line, BARD, "world", [("aldo", "What do you think of the world?")], others)
    assert verdict.failures == ("role_confusion",)


def test_a_sentence_said_before_is_dropped_with_a_stage_direction_in_front() -> None:
    # Seen in the demo: "(laughs) The topic is philosophy." read the ask back.
    heard = ["Reply to Gorin as Lyralei. The topic is philosophy."]
    line = "(smiling) Ah, forgive me, it has been a while. (laughs) The topic is philosophy."
    assert denoise(line, BARD, recent=heard) == "(smiling) Ah, forgive me, it has been a while."
    # A stage direction alone is no repeat of anything.
    assert denoise("(laughs) Fair enough.", BARD, recent=["(laughs)"]) == "(laughs) Fair enough."


def test_a_line_keeps_only_its_first_stage_direction() -> None:
    # Seen in the demo: SmolLM2 acts out nearly every sentence.
    line = (
        "(laughing, smiling) Ah, you're so glad I'm here. (smiling again). "
        "Thank you for coming (nods)."
    )
    assert (
        denoise(line, BARD)
        == "(laughing, smiling) Ah, you're so glad I'm here. Thank you for coming."
    )
    assert denoise("(sighs). Well. (shrugs) Fine.", BARD) == "(sighs). Well. Fine."
    # Kept where there is one, or as many as the setting allows; none with 0.
    assert denoise("Fair enough (laughs).", BARD) == "Fair enough (laughs)."
    two = QualitySettings(max_stage_directions=2)
    assert denoise("(a) One. (b) Two. (c) Three.", BARD, settings=two) == "(a) One. (b) Two. Three."
    none = QualitySettings(max_stage_directions=0)
    assert denoise("(pausing). Right, then (winks).", BARD, settings=none) == "Right, then."


def test_a_talk_judging_its_own_read_lines_gets_the_verdicts_of_plain_text() -> None:
    # The engine hands the gates each line read once (`Said`); the verdicts must be the ones
    # the (speaker, text) pairs give, failures and scores alike.
    recent = [
        ("bard", "I'm delighted to share with you the importance of culture in my time."),
        ("gorin", "The caravan from the north brought silk and spices to the market."),
        ("gorin", "Travelers have been talking about it all week, bad for business."),
    ]
    lines = [
        "Indeed, travelers have been talking about it all week, bad for business",
        "I'm delighted to share with you the importance of culture in my time!",
        "Quantum chromodynamics baffles physicists everywhere.",
        "Silk from the north caravan sells well at market. Spices too.",
        "Aye.",
    ]
    read = [Said.of(text, who) for who, text in recent]
    for line in lines:
        plain = judge(line, BARD, "trade", recent, ["Gorin"])
        assert judge(Said.of(line, BARD.id), BARD, "trade", read, ["Gorin"]) == plain, line
    assert {f for line in lines for f in judge(line, BARD, "trade", recent, []).failures} >= {
        "echo",
        "repeat",
        "off_topic",
        "too_short",
    }


def test_denoise_drops_a_sentence_heard_in_a_read_line_as_in_plain_text() -> None:
    heard = "The ruins glow at night. Nobody goes there."
    raw = "The ruins glow at night! I saw it myself."
    assert denoise(raw, BARD, recent=[Said.of(heard, "gorin")]) == denoise(
        raw, BARD, recent=[heard]
    )
    assert denoise(raw, BARD, recent=[heard]) == "I saw it myself."
