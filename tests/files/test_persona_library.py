from __future__ import annotations

from pathlib import Path

import pytest

from personae.domain.persona import Persona
from personae.errors import InputError, UnknownPersonaError
from personae.files.persona_file import load_persona_file
from personae.files.persona_library import (
    LibraryItem,
    PersonaLibrary,
    library_dir,
    persona_yaml,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "personas.yaml"


def test_existing_persona_files_still_load() -> None:
    loaded = load_persona_file(EXAMPLES)
    assert len(loaded.personas) >= 4
    assert loaded.persona("king_at_war").profile.personality == ""


def test_a_file_may_hold_a_single_persona_mapping(tmp_path: Path) -> None:
    path = tmp_path / "mara.yaml"
    path.write_text("name: Mara\nstatus: 4\ntopics: {gossip: 90}\n")
    (persona,) = load_persona_file(path).personas
    assert (persona.id, persona.status, persona.topics) == ("mara", 4, {"gossip": 90})


def test_errors_in_a_single_persona_file_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "mara.yaml"
    path.write_text("name: Mara\n\nstatus: 40\n")
    with pytest.raises(InputError, match=r"mara\.yaml:3: persona 'mara', field 'status'"):
        load_persona_file(path)


def test_library_directory_comes_from_option_then_environment_then_default() -> None:
    assert library_dir(Path("x"), {"PERSONAE_LIBRARY": "y"}) == Path("x")
    assert library_dir(None, {"PERSONAE_LIBRARY": "y"}) == Path("y")
    assert library_dir(None, {}) == Path("personas")


def test_save_and_load_round_trip_with_multiline_and_odd_text(tmp_path: Path) -> None:
    persona = Persona(id="odd", name="Odd", description="line one\r\nline two \n\x85 \u2028 end ")
    library = PersonaLibrary(tmp_path)
    library.save(persona)
    assert library.load("odd") == persona
    assert library.ids() == ["odd"]
    assert "line one" in persona_yaml(persona)


def test_saving_refuses_to_overwrite_unless_forced(tmp_path: Path) -> None:
    library = PersonaLibrary(tmp_path)
    library.save(Persona(id="a", name="A"))
    with pytest.raises(InputError, match="already in the library"):
        library.save(Persona(id="a", name="A2"))
    library.save(Persona(id="a", name="A2"), overwrite=True)
    assert library.load("a").name == "A2"


def test_a_batch_is_written_all_or_nothing(tmp_path: Path) -> None:
    library = PersonaLibrary(tmp_path)
    library.save(Persona(id="b", name="B"))
    batch = [LibraryItem(Persona(id="a", name="A"), b"img"), LibraryItem(Persona(id="b", name="B"))]
    with pytest.raises(InputError):
        library.save_all(batch)
    assert library.ids() == ["b"]
    assert not list(tmp_path.glob(".tmp-*"))
    assert not (tmp_path / "a.png").exists()


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path) -> None:
    library = PersonaLibrary(tmp_path)
    (tmp_path / "a.png").mkdir()  # a directory where the image should go: the rename fails
    with pytest.raises(InputError, match="cannot write"):
        library.save(Persona(id="a", name="A"), image=b"png bytes")
    assert not (tmp_path / "a.yaml").exists()
    assert not list(tmp_path.glob(".tmp-*"))


def test_unknown_ids_list_the_known_ones(tmp_path: Path) -> None:
    library = PersonaLibrary(tmp_path)
    library.save(Persona(id="a", name="A"))
    with pytest.raises(UnknownPersonaError, match="known: a"):
        library.load("zz")


def test_path_like_ids_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a persona id"):
        PersonaLibrary(tmp_path).path_of("../escape")


def test_a_file_whose_id_differs_from_its_name_is_reported(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("id: b\nname: B\n")
    with pytest.raises(InputError, match="holds persona 'b'"):
        PersonaLibrary(tmp_path).load("a")
