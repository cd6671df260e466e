from pydantic import BaseModel, ConfigDict, PrivateAttr

from personae.domain.copies import with_changes
from personae.domain.persona import InteractionState, Priority
from tests.builders import context, persona


def same_copy(a: BaseModel, b: BaseModel) -> bool:
    return (
        type(a) is type(b)
        and a == b
        and a.model_fields_set == b.model_fields_set
        and a.model_dump() == b.model_dump()
    )


def test_a_changed_state_is_what_model_copy_gives_and_the_original_is_untouched() -> None:
    state = InteractionState(social_energy=80, current_priority=Priority.SOCIAL)
    changes = {"social_energy": 55.5, "interaction_fatigue": 12.0}
    changed = with_changes(state, changes)
    assert same_copy(changed, state.model_copy(update=changes))
    assert changed.social_energy == 55.5
    assert changed.current_priority is Priority.SOCIAL
    assert state.social_energy == 80
    assert state.interaction_fatigue == 0
    assert "interaction_fatigue" not in state.model_fields_set


def test_a_persona_with_a_new_state_shares_its_other_fields() -> None:
    ilse = persona("ilse", topics={"trade": 80})
    state = with_changes(ilse.state, {"interest_level": 70.0})
    changed = with_changes(ilse, {"state": state})
    assert same_copy(changed, ilse.model_copy(update={"state": state}))
    assert changed.topics is ilse.topics  # shallow, as model_copy
    assert ilse.with_state(interest_level=70.0) == changed
    assert ilse.state.interest_level == 50


def test_a_context_copy_keeps_its_score_history_shared_as_model_copy_does() -> None:
    talk = context()
    talk.record_score("a", 61.0)
    changed = with_changes(talk, {"duration_s": 30.0})
    assert same_copy(changed, talk.model_copy(update={"duration_s": 30.0}))
    assert changed.last_score("a") == 61.0


class WithPrivate(BaseModel):
    value: int = 0
    _cache: dict[str, int] = PrivateAttr(default_factory=dict)


class WithExtra(BaseModel):
    model_config = ConfigDict(extra="allow")
    value: int = 0


def test_models_with_private_attributes_or_extra_fields_are_copied_by_pydantic() -> None:
    private = WithPrivate(value=1)
    private._cache["k"] = 2
    copied = with_changes(private, {"value": 3})
    assert copied.value == 3
    assert copied._cache == {"k": 2}
    extra = WithExtra(value=1, colour="red")  # type: ignore[call-arg]
    changed = with_changes(extra, {"value": 2})
    assert changed.value == 2
    assert changed.model_extra == {"colour": "red"}
