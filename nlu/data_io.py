"""Reading the Rasa 3.1 YAML training/test files and the urgency cue files."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from nlu.prediction import LANGUAGES

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Example:
    """One labelled message; urgent comes from block metadata or the emergency intent."""

    text: str
    intent: str
    urgent: bool
    language: str


def _examples_of_block(block: dict[str, Any], language: str) -> Iterable[Example]:
    intent = str(block.get("intent", "")).strip()
    raw = block.get("examples") or ""
    meta = block.get("metadata") or {}
    urgent = bool(meta.get("urgent", False)) if isinstance(meta, dict) else False
    lines = raw.splitlines() if isinstance(raw, str) else [f"- {x}" for x in raw]
    for line in lines:
        line = line.strip()
        if not line.startswith("-"):
            continue
        text = line[1:].strip()
        if text:
            yield Example(
                text=text,
                intent=intent,
                urgent=urgent or intent == "emergency",
                language=language,
            )


def load_yaml_file(path: Path, language: str | None = None) -> list[Example]:
    """Examples from one Rasa NLU file; the file stem is the language unless given."""
    lang = language or path.stem
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out: list[Example] = []
    for block in doc.get("nlu") or []:
        if isinstance(block, dict) and "intent" in block:
            out.extend(_examples_of_block(block, lang))
    return out


def load_dir(data_dir: Path, languages: Iterable[str] = LANGUAGES) -> list[Example]:
    """Every {lang}.yml in a folder (missing languages are skipped)."""
    out: list[Example] = []
    for lang in languages:
        path = data_dir / f"{lang}.yml"
        if path.exists():
            out.extend(load_yaml_file(path, lang))
    return out


def load_jsonl(lines: Iterable[str]) -> list[Example]:
    """Labelled JSON lines {"text","intent","urgent","language"} (blank lines skipped)."""
    out: list[Example] = []
    for line in lines:
        if not line.strip():
            continue
        row = json.loads(line)
        out.append(
            Example(
                text=str(row["text"]),
                intent=str(row.get("intent", "")),
                urgent=bool(row.get("urgent", row.get("intent") == "emergency")),
                language=str(row.get("language", "")),
            )
        )
    return out


@dataclass(frozen=True)
class CueFile:
    """One language's urgency cues as written by coordinators."""

    language: str
    cues: dict[str, list[str]]
    negation: list[str]
    past: list[str]
    present: list[str]
    hypothetical: list[str]


def _strs(value: Any) -> list[str]:
    return [str(v).strip().lower() for v in (value or []) if str(v).strip()]


def load_cues(cue_dir: Path, languages: Iterable[str] = LANGUAGES) -> list[CueFile]:
    """All cue files present in a folder."""
    out: list[CueFile] = []
    for lang in languages:
        path = cue_dir / f"{lang}.yml"
        if not path.exists():
            continue
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        cues = {str(k): _strs(v) for k, v in (doc.get("cues") or {}).items()}
        out.append(
            CueFile(
                language=str(doc.get("language", lang)),
                cues=cues,
                negation=_strs(doc.get("negation")),
                past=_strs(doc.get("past")),
                present=_strs(doc.get("present")),
                hypothetical=_strs(doc.get("hypothetical")),
            )
        )
    return out


def fingerprint(data_dir: Path) -> str:
    """Hash of the training and cue files, so a model trained on other data is noticed."""
    digest = hashlib.sha256()
    for path in sorted(
        list(data_dir.glob("*.yml")) + list((data_dir / "urgency").glob("*.yml"))
    ):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
