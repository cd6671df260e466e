"""Reading user files (YAML) into validated domain objects, with errors that name the line."""

from personae.files.cast import default_world_path, load_cast
from personae.files.persona_file import PersonaFile, load_persona_file, slug
from personae.files.persona_library import PersonaLibrary, library_dir, persona_yaml
from personae.files.yaml_source import YamlSource, read_yaml

__all__ = [
    "PersonaFile",
    "PersonaLibrary",
    "YamlSource",
    "default_world_path",
    "library_dir",
    "load_cast",
    "load_persona_file",
    "persona_yaml",
    "read_yaml",
    "slug",
]
