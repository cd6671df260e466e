from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from personae.cli.compare_command import parse_seeds
from personae.errors import InputError


@pytest.mark.parametrize(
    ("text", "seeds"), [("1-3", [1, 2, 3]), ("3,5,8", [3, 5, 8]), ("1-3,7,2", [1, 2, 3, 7])]
)
def test_seed_ranges(text: str, seeds: list[int]) -> None:
    assert parse_seeds(text) == seeds


@pytest.mark.parametrize("text", ["", "a-b", "5-1", "1-"])
def test_bad_seed_ranges_are_named(text: str) -> None:
    with pytest.raises(InputError, match="--seeds"):
        parse_seeds(text)


def test_a_busier_tavern_has_more_conversations(tmp_path: Path) -> None:
    def world(name: str, capacity: int) -> Path:
        path = tmp_path / f"{name}.yaml"
        path.write_text(
            f"world: {{name: {name}}}\nsimulation: {{ticks: 8}}\n"
            f"rooms: [{{use: tavern, max_concurrent_conversations: {capacity}}}]\n"
            "personas:\n" + "".join(f"  - {{name: P{i}, charisma: {10 + i}}}\n" for i in range(8)),
            encoding="utf-8",
        )
        return path

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "personae",
            "compare",
            str(world("quiet", 1)),
            str(world("busy", 4)),
            "--seeds",
            "1-4",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    by_name = {m["metric"]: m for m in result["metrics"]}
    conversations = by_name["conversations"]
    assert conversations["mean_b"] > conversations["mean_a"]
    assert conversations["ci_high"] < 0  # A - B is clearly negative
    assert result["seeds_a"] == [1, 2, 3, 4]
