"""Reading the Rasa 3.1 YAML training/test files and the urgency cue files.

Layout of a data folder (the package's `nlu/data` or a coordinator's merged copy):

    train/<lang>/<style>.yml   training examples; the folder names the language, the stem the style
    <lang>.yml                 also read as training (style "original"): flat legacy / merged folders
    test/<lang>.yml            the split written with the training data (never trained on)
    test_audited/<lang>.yml    the test split with the urgent flags two blind annotators agreed on (never trained on)
    train/<lang>/writers_N.yml the first three sets written apart (heldout, heldout2, heldout3), trained on since
                               2026-12-03: once read, a set measures nothing; as training it brings other hands
    heldout4/<lang>.yml        written apart (2026-12-03) by separately briefed writers, never trained on: the honest figure
    heldout*/unknown.yml       languages the model does not support (never trained on)
    urgency/<lang>.yml         cue lists

A language is supported when it has training data: adding one is a folder of YAML, no code.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"
UNKNOWN = "unknown"
# Only the order languages are listed in; any other folder is appended alphabetically.
PREFERRED_ORDER = ("ru", "kk", "uz", "ky", "tg")
#: Evaluation sets, never trained on: the split written with the training data, that split with the urgent
#: flags of two blind annotators (test_audited), the held-out set written apart (heldout4) and the
#: unsupported-language files of the earlier held-out sets (heldout, 2 and 3: their other files are training now).
EVALUATION_SETS = ("test", "test_audited", "heldout", "heldout2", "heldout3", "heldout4")
NOT_LANGUAGES = frozenset({*EVALUATION_SETS, "urgency", "train", UNKNOWN})


#: libyaml's safe loader when installed: the training folders are thousands of lines.
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load_yaml(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)  # noqa: S506 - a safe loader


@dataclass(frozen=True)
class Example:
    """One labelled message; urgent comes from block metadata or the emergency intent."""

    text: str
    intent: str
    urgent: bool
    language: str
    style: str = "original"
    third_party: bool = False
    source_language: str = ""  # unknown.yml: the real language (en, tk, az, ...)


def order_languages(langs: Iterable[str]) -> tuple[str, ...]:
    """Preferred languages first, the rest alphabetically (stable for pickles and reports)."""
    found = set(langs)
    return tuple([x for x in PREFERRED_ORDER if x in found] + sorted(found - set(PREFERRED_ORDER)))


def _flag(meta: dict[str, Any], key: str) -> bool:
    value = meta.get(key, False)
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "1")
    return bool(value)


def _examples_of_block(block: dict[str, Any], language: str, style: str) -> Iterable[Example]:
    intent = str(block.get("intent", "")).strip()
    raw = block.get("examples") or ""
    meta = block.get("metadata") or {}
    meta = meta if isinstance(meta, dict) else {}
    urgent = _flag(meta, "urgent")
    third = _flag(meta, "third_party")
    block_style = str(meta.get("style") or style)
    source = str(meta.get("language") or "") if language == UNKNOWN else ""
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
                style=block_style,
                third_party=third,
                source_language=source,
            )


def load_yaml_file(path: Path, language: str | None = None, style: str | None = None) -> list[Example]:
    """Examples from one Rasa NLU file.

    The language is the parent folder under train/ (train/ky/short.yml), else the file stem (test/ky.yml);
    the style is the stem under train/, else "original", unless a block's metadata says otherwise.
    """
    path = Path(path)
    in_train = path.parent.parent.name == "train"
    lang = language or (path.parent.name if in_train else path.stem)
    sty = style or (path.stem if in_train else "original")
    doc = _load_yaml(path) or {}
    out: list[Example] = []
    for block in doc.get("nlu") or [] if isinstance(doc, dict) else []:
        if isinstance(block, dict) and "intent" in block:
            out.extend(_examples_of_block(block, lang, sty))
    return out


def _flat_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.yml") if p.stem not in NOT_LANGUAGES) if folder.is_dir() else []


def _style_dirs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_dir() and p.name not in NOT_LANGUAGES) if folder.is_dir() else []


def load_dir(data_dir: Path, languages: Iterable[str] | None = None) -> list[Example]:
    """Every `<lang>.yml` and `<lang>/*.yml` in a folder (unknown.yml too when no languages are named)."""
    data_dir = Path(data_dir)
    wanted = set(languages) if languages is not None else None
    out: list[Example] = []
    for path in _flat_files(data_dir) + ([data_dir / f"{UNKNOWN}.yml"] if wanted is None else []):
        if path.exists() and (wanted is None or path.stem in wanted):
            out.extend(load_yaml_file(path, path.stem, "original"))
    for folder in _style_dirs(data_dir):
        if wanted is None or folder.name in wanted:
            for path in sorted(folder.glob("*.yml")):
                out.extend(load_yaml_file(path, folder.name, path.stem))
    return out


def load_training(data_dir: Path | None = None, languages: Iterable[str] | None = None) -> list[Example]:
    """The training examples of a data folder: train/<lang>/*.yml plus flat <lang>.yml files."""
    data_dir = Path(data_dir) if data_dir else DATA_DIR
    out = load_dir(data_dir / "train", languages) + load_dir(data_dir, languages)
    return [e for e in out if e.language != UNKNOWN]


def training_languages(data_dir: Path | None = None) -> tuple[str, ...]:
    """The languages a data folder supports: those with training data."""
    data_dir = Path(data_dir) if data_dir else DATA_DIR
    found = {p.name for p in _style_dirs(data_dir / "train") if any(p.glob("*.yml"))}
    found |= {p.stem for p in _flat_files(data_dir)}
    return order_languages(found)


def load_jsonl(lines: Iterable[str]) -> list[Example]:
    """Labelled JSON lines {"text","intent","urgent","language"[,"style","third_party"]} (blank lines skipped)."""
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
                style=str(row.get("style", "original")),
                third_party=bool(row.get("third_party", False)),
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
    # Optional: words that open a new clause inside a sentence ("но", "а сейчас", "lekin"), and words
    # saying the writer is safe now / speaks in general (they count as "says something about safety").
    breaks: tuple[str, ...] = ()
    safe_now: tuple[str, ...] = ()
    third_party: tuple[str, ...] = ()
    # Optional: negation words that negate only the verb before them (kk "жоқ", uz "yo'q"): "паспорт жоқ,
    # қамап қойды" (no passport, locked me in) is not a denial.
    negation_after: tuple[str, ...] = ()
    # Optional, for a language without training data (en): its everyday words, so a message written in it
    # is said unknown instead of being read as a supported language whose chats borrow a few of them.
    common_words: tuple[str, ...] = ()


def _strs(value: Any) -> list[str]:
    return [str(v).strip().lower() for v in (value or []) if str(v).strip()]


def cue_languages(cue_dir: Path) -> tuple[str, ...]:
    """Languages with a cue file (may include languages without training data, e.g. en)."""
    return order_languages(p.stem for p in Path(cue_dir).glob("*.yml")) if Path(cue_dir).is_dir() else ()


def load_cues(cue_dir: Path, languages: Iterable[str] | None = None) -> list[CueFile]:
    """All cue files present in a folder (every one when no languages are named)."""
    cue_dir = Path(cue_dir)
    out: list[CueFile] = []
    for lang in languages if languages is not None else cue_languages(cue_dir):
        path = cue_dir / f"{lang}.yml"
        if not path.exists():
            continue
        doc = _load_yaml(path) or {}
        cues = {str(k): _strs(v) for k, v in (doc.get("cues") or {}).items()}
        out.append(
            CueFile(
                language=str(doc.get("language", lang)),
                cues=cues,
                negation=_strs(doc.get("negation")),
                past=_strs(doc.get("past")),
                present=_strs(doc.get("present")),
                hypothetical=_strs(doc.get("hypothetical")),
                breaks=tuple(_strs(doc.get("breaks"))),
                safe_now=tuple(_strs(doc.get("safe_now"))),
                third_party=tuple(_strs(doc.get("third_party"))),
                negation_after=tuple(_strs(doc.get("negation_after"))),
                common_words=tuple(_strs(doc.get("common_words"))),
            )
        )
    return out


def training_files(data_dir: Path) -> list[Path]:
    """Every file the model is trained from (training data and cues), in a stable order."""
    data_dir = Path(data_dir)
    files = list((data_dir / "train").glob("*/*.yml")) + _flat_files(data_dir)
    files += list((data_dir / "urgency").glob("*.yml"))
    return sorted(files)


def fingerprint(data_dir: Path) -> str:
    """Hash of the training and cue files, so a model trained on other data is noticed."""
    data_dir = Path(data_dir)
    digest = hashlib.sha256()
    for path in training_files(data_dir):
        digest.update(path.relative_to(data_dir).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
