"""A short personality quiz (seed 003's generateFromQuiz): eight questions, each answer nudging
traits up or down from the average of 50."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from personae.domain.persona import BigFive
from personae.domain.profile import AITraits
from personae.errors import InputError


@dataclass(frozen=True)
class Answer:
    key: str
    text: str
    effects: dict[str, int]


@dataclass(frozen=True)
class Question:
    text: str
    answers: tuple[Answer, ...]

    def answer(self, key: str) -> Answer:
        for answer in self.answers:
            if answer.key == key.strip().lower():
                return answer
        keys = ", ".join(answer.key for answer in self.answers)
        raise InputError(f"{key!r} is not an answer to {self.text!r}; choose one of {keys}")


def _q(text: str, *answers: tuple[str, str, dict[str, int]]) -> Question:
    return Question(text, tuple(Answer(key, label, effects) for key, label, effects in answers))


QUESTIONS: tuple[Question, ...] = (
    _q("At a crowded feast, you...",
       ("a", "work the room and meet everyone", {"extraversion": 25, "social_orientation": 20}),
       ("b", "stay with one or two friends", {"extraversion": -5, "empathy": 5}),
       ("c", "slip away to explore the host's library", {"extraversion": -25, "curiosity": 15})),
    _q("A carefully made plan falls apart. You...",
       ("a", "draw up a new plan at once", {"conscientiousness": 15, "adaptability": 20}),
       ("b", "worry about what went wrong", {"neuroticism": 25}),
       ("c", "laugh and improvise", {"humor": 20, "adaptability": 15,
                                     "conscientiousness": -10})),
    _q("Someone disagrees with you in public. You...",
       ("a", "stand your ground", {"assertiveness": 25, "agreeableness": -10}),
       ("b", "look for common ground", {"agreeableness": 25, "empathy": 15}),
       ("c", "ask them to explain their view", {"openness": 15, "curiosity": 15})),
    _q("A free afternoon. You...",
       ("a", "try something you have never done", {"openness": 25, "creativity": 15}),
       ("b", "finish the tasks that are waiting", {"conscientiousness": 25,
                                                   "task_orientation": 20}),
       ("c", "take apart a mechanism or solve a puzzle", {"technical_focus": 30,
                                                          "curiosity": 10})),
    _q("A friend is sad. You...",
       ("a", "listen and comfort them", {"empathy": 25, "agreeableness": 15}),
       ("b", "help fix what caused it", {"task_orientation": 15, "conscientiousness": 10}),
       ("c", "cheer them up with jokes", {"humor": 25, "extraversion": 10})),
    _q("Rules are...",
       ("a", "there to be followed", {"conscientiousness": 20, "openness": -10}),
       ("b", "guidelines, to bend when needed", {"adaptability": 15}),
       ("c", "made to be broken", {"openness": 10, "conscientiousness": -20,
                                   "assertiveness": 10})),
    _q("Under pressure you are...",
       ("a", "calm", {"neuroticism": -25}),
       ("b", "nervous but you manage", {"neuroticism": 10}),
       ("c", "thrilled", {"extraversion": 10, "neuroticism": -10, "assertiveness": 10})),
    _q("You would rather be known as...",
       ("a", "wise", {"curiosity": 15, "technical_focus": 10}),
       ("b", "kind", {"agreeableness": 20, "empathy": 15}),
       ("c", "bold", {"assertiveness": 20, "extraversion": 10}),
       ("d", "inventive", {"creativity": 25, "openness": 10})),
)  # fmt: skip


def score_quiz(answers: Sequence[str]) -> tuple[BigFive, AITraits]:
    """Traits from one answer key per question (e.g. "a", "c", ...)."""
    if len(answers) != len(QUESTIONS):
        raise InputError(f"the quiz has {len(QUESTIONS)} questions, got {len(answers)} answers")
    values: dict[str, int] = {}
    for question, key in zip(QUESTIONS, answers, strict=True):
        for trait, delta in question.answer(key).effects.items():
            values[trait] = values.get(trait, 50) + delta
    clipped = {trait: max(0, min(100, value)) for trait, value in values.items()}
    big_five = BigFive(**{k: v for k, v in clipped.items() if k in BigFive.model_fields})
    ai_traits = AITraits(**{k: v for k, v in clipped.items() if k in AITraits.model_fields})
    return big_five, ai_traits
