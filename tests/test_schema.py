"""The JSON contract: `toolkit/briefing.schema.json` (JSON Schema 2020-12) describes `Briefing.to_json()`.

Real briefings (offline, checked and not, with skipped inputs, through the scripted LLM endpoint) must
validate against the committed file; the file must equal what `toolkit.briefing.json_schema()` makes
from the models, so a new key in a model fails here until the schema file is rewritten on purpose;
every object level is closed, so a key the schema does not name fails validation.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from paths import EXAMPLES, SEEDS

from toolkit import Briefing, summarize
from toolkit.briefing import SCHEMA_FILE, SCHEMA_VERSION, json_schema
from toolkit.demo import scripted_endpoint

REGENERATE = (
    'python -c "import json; from toolkit.briefing import json_schema, SCHEMA_FILE; '
    "SCHEMA_FILE.write_text(json.dumps(json_schema(), indent=2, ensure_ascii=False) + '\\n')\""
)


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def validator(schema: dict[str, Any]) -> Draft202012Validator:
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@pytest.fixture(scope="module")
def checked() -> Briefing:
    return summarize(EXAMPLES)


def errors(validator: Draft202012Validator, data: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]


def test_the_committed_schema_is_the_one_the_models_make(schema: dict[str, Any]) -> None:
    assert schema == json_schema(), f"the models changed: review and rewrite the schema file: {REGENERATE}"


def test_every_object_level_is_closed(schema: dict[str, Any]) -> None:
    objects: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "properties" in node:
                objects.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    assert len(objects) >= 15  # Briefing, Source, Passage, Sentence, Report and its parts ...
    for obj in objects:
        assert obj["additionalProperties"] is False
        assert sorted(obj["required"]) == sorted(obj["properties"])


def test_a_checked_offline_briefing_validates(validator: Draft202012Validator, checked: Briefing) -> None:
    data = json.loads(checked.to_json())
    assert data["report"] is not None and data["sentences"] and data["schema_version"] == SCHEMA_VERSION
    assert errors(validator, data) == []


def test_an_unchecked_briefing_with_skipped_inputs_validates(
    validator: Draft202012Validator, tmp_path: Path
) -> None:
    for seed in SEEDS[:3]:
        shutil.copy(seed, tmp_path / seed.name)
    (tmp_path / "broken.txt").write_bytes(b"\x00\xff\xfe binary" * 64)
    briefing = summarize(tmp_path, skip_bad=True, check=False)
    data = json.loads(briefing.to_json())
    assert data["skipped"] and data["report"] is None
    assert errors(validator, data) == []


def test_a_briefing_from_the_llm_path_validates(validator: Draft202012Validator) -> None:
    with scripted_endpoint():
        briefing = summarize(EXAMPLES, engine="openai")
    data = json.loads(briefing.to_json())
    assert data["usage"]["calls"] >= 1 and data["engine"] != "extractive"
    assert errors(validator, data) == []


def test_dicts_with_metadata_validate(validator: Draft202012Validator) -> None:
    articles = [
        {"text": seed.read_text(encoding="utf-8"), "title": f"T{k}", "url": f"https://example.org/{k}",
         "date": "2025-01-0{k}", "outlet": "Example"}
        for k, seed in enumerate(SEEDS[:3], 1)
    ]  # fmt: skip
    data = json.loads(summarize(articles).to_json())
    assert errors(validator, data) == []


@pytest.mark.parametrize(
    "path",
    [
        (),
        ("usage",),
        ("sources", 0),
        ("sources", 0, "passages", 0),
        ("sources", 0, "passages", 0, "sentences", 0),
        ("sentences", 0),
        ("sentences", 0, "checks", 0),
        ("report",),
    ],
)
def test_an_unknown_key_at_any_level_fails(
    validator: Draft202012Validator, checked: Briefing, path: tuple[str | int, ...]
) -> None:
    data = json.loads(checked.to_json())
    node: Any = data
    for step in path:
        node = node[step]
    node["surprise"] = 1
    assert any("surprise" in e for e in errors(validator, data))


@pytest.mark.parametrize("key", ["engine", "sources", "sentences", "usage", "schema_version", "report"])
def test_a_missing_key_fails(validator: Draft202012Validator, checked: Briefing, key: str) -> None:
    data = json.loads(checked.to_json())
    del data[key]
    assert errors(validator, data) != []


def test_a_wrong_type_or_version_fails(validator: Draft202012Validator, checked: Briefing) -> None:
    data = json.loads(checked.to_json())
    data["sources"][0]["passages"][0]["start"] = "0"
    assert errors(validator, data) != []
    data = json.loads(checked.to_json())
    data["schema_version"] = SCHEMA_VERSION + 1
    assert errors(validator, data) != []


def test_the_schema_ships_with_the_package() -> None:
    pyproject = (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert "briefing.schema.json" in pyproject
