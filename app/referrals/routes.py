"""Referral directory pages: coordinators edit (/admin/referrals), operators read (/console/referrals).

An entry is saved with the languages it has (a name in one is enough); the others are marked
"needs translation" on the list and the form, and people read the entry in a fallback meanwhile.

Entries are addressed by a form or query field ``id`` rather than a path part,
so every route stays a fixed path (the role walk in tests/app/auth/test_roles.py
can call each one).
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.deps import Coordinator, CurrentOperator
from app.platform.audit import audit
from app.platform.deps import ClockDep, SessionDep
from app.platform.models import ReferralEntry
from app.referrals.service import (
    COUNTRIES,
    KINDS,
    TEXT_FIELDS,
    format_entry,
    is_stale,
    localized,
    needs_translation,
    places,
    seed_referrals,
    text_languages,
)
from app.web.forms import FormStr
from app.web.session import verify_csrf
from app.web.templating import render

admin_router = APIRouter(prefix="/admin/referrals", dependencies=[Depends(verify_csrf)], include_in_schema=False)
console_router = APIRouter(prefix="/console/referrals", dependencies=[Depends(verify_csrf)], include_in_schema=False)


async def _entries(session: AsyncSession, *, active_only: bool = False) -> list[ReferralEntry]:
    query = select(ReferralEntry).order_by(ReferralEntry.country, ReferralEntry.city, ReferralEntry.kind, ReferralEntry.id)
    if active_only:
        query = query.where(ReferralEntry.active.is_(True))
    return list((await session.scalars(query)).all())


def _today(clock: ClockDep) -> date:
    return clock().date()


async def _entry(session: AsyncSession, raw_id: str) -> ReferralEntry | None:
    return await session.get(ReferralEntry, int(raw_id)) if raw_id.isdigit() else None


@admin_router.get("")
async def referral_list(request: Request, _: Coordinator, session: SessionDep, clock: ClockDep,
                        country: str = "", kind: str = "") -> Response:  # fmt: skip
    entries = await _entries(session)
    today = _today(clock)
    stale = [e for e in entries if e.active and is_stale(e, today)]
    shown = [e for e in entries if (not country or e.country == country) and (not kind or e.kind == kind)]
    return render(request, "admin_referrals.html", {
        "entries": shown, "stale": stale, "countries": COUNTRIES, "kinds": KINDS, "country": country, "kind": kind,
        "name_of": lambda e: localized(e.name, request.state.operator.languages[0] if request.state.operator.languages else "ru"),
        "is_stale": lambda e: is_stale(e, today), "empty": not entries, "untranslated": needs_translation,
    })  # fmt: skip


def _form_page(request: Request, entry: ReferralEntry | None, error: str = "", status_code: int = 200) -> Response:
    return render(request, "admin_referral_edit.html", {
        "entry": entry, "countries": COUNTRIES, "kinds": KINDS, "cities": places(), "text_langs": text_languages(),
        "text_fields": TEXT_FIELDS, "error": error, "untranslated": needs_translation(entry) if entry else [],
    }, status_code)  # fmt: skip


@admin_router.get("/edit")
async def referral_edit(request: Request, _: Coordinator, session: SessionDep, id: str = "") -> Response:
    entry = await _entry(session, id)
    if id and entry is None:
        return render(request, "error.html", {"message": "error.not_found_text", "status": 404}, 404)
    return _form_page(request, entry)


def _apply(entry: ReferralEntry, form: dict[str, str]) -> str:
    """Copy the form onto the entry; returns an error code, or "" when the form is valid."""
    kind, country, city = form.get("kind", ""), form.get("country", ""), form.get("city", "").strip()
    if kind not in KINDS or country not in COUNTRIES:
        return "bad_kind"
    if city and city not in places():
        return "bad_city"
    texts = {f: {lang: form.get(f"{f}_{lang}", "").strip()[:1000] for lang in text_languages()} for f in TEXT_FIELDS}
    if not any(texts["name"].values()):  # one language is enough; the others are marked for translation
        return "name_missing"
    verified = form.get("last_verified", "").strip()
    try:
        entry.last_verified = date.fromisoformat(verified) if verified else None
    except ValueError:
        return "bad_date"
    entry.kind, entry.country, entry.city = kind, country, city
    entry.name, entry.description, entry.hours, entry.how_to_reach = (texts[f] for f in TEXT_FIELDS)
    entry.active = form.get("active") in ("1", "on", "true")
    return ""


@admin_router.post("/save")
async def referral_save(request: Request, operator: Coordinator, session: SessionDep) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    raw_id = form.get("id", "")
    entry = await _entry(session, raw_id) if raw_id else ReferralEntry()
    if entry is None:
        return RedirectResponse("/admin/referrals", 303)
    # Validated on a detached copy: a refused form changes nothing and keeps the session usable for the page.
    candidate = ReferralEntry(id=entry.id)
    error = _apply(candidate, form)
    if error:
        _apply_loose(candidate, form)
        return _form_page(request, candidate, error, 400)
    for field in ("kind", "country", "city", "last_verified", "active", *TEXT_FIELDS):
        setattr(entry, field, getattr(candidate, field))
    if not raw_id:
        session.add(entry)
    await session.flush()
    audit(session, operator.login, "referral.create" if not raw_id else "referral.update", f"referral:{entry.id}",
          country=entry.country, kind=entry.kind)  # fmt: skip
    return RedirectResponse(f"/admin/referrals/edit?id={entry.id}&saved=1", 303)


def _apply_loose(entry: ReferralEntry, form: dict[str, str]) -> None:
    """Keep what was typed when the form is sent back with an error."""
    entry.kind, entry.country, entry.city = form.get("kind", ""), form.get("country", ""), form.get("city", "")
    for f in TEXT_FIELDS:
        setattr(entry, f, {lang: form.get(f"{f}_{lang}", "") for lang in text_languages()})
    entry.active = form.get("active") in ("1", "on", "true")


@admin_router.post("/verify")
async def referral_verify(operator: Coordinator, session: SessionDep, clock: ClockDep, id: FormStr = "") -> Response:
    """"I checked it today": the quickest way to clear the stale list."""
    entry = await _entry(session, id)
    if entry is not None:
        entry.last_verified = _today(clock)
        audit(session, operator.login, "referral.verify", f"referral:{entry.id}")
    return RedirectResponse("/admin/referrals", 303)


@admin_router.post("/delete")
async def referral_delete(operator: Coordinator, session: SessionDep, id: FormStr = "") -> Response:
    entry = await _entry(session, id)
    if entry is not None:
        audit(session, operator.login, "referral.delete", f"referral:{entry.id}", country=entry.country, kind=entry.kind)
        await session.delete(entry)
    return RedirectResponse("/admin/referrals", 303)


@admin_router.post("/seed")
async def referral_seed(operator: Coordinator, session: SessionDep) -> Response:
    added = await seed_referrals(session)
    if added:
        audit(session, operator.login, "referral.seed", None, count=added)
    return RedirectResponse("/admin/referrals", 303)


@console_router.get("")
async def referral_read(request: Request, operator: CurrentOperator, session: SessionDep, clock: ClockDep,
                        country: str = "", language: str = "") -> Response:  # fmt: skip
    """Operators read the directory (active entries) in a language of their choice."""
    lang = language if language in text_languages() else next((x for x in operator.languages or [] if x in text_languages()), "ru")
    today = _today(clock)
    entries = [e for e in await _entries(session, active_only=True) if not country or e.country == country]
    return render(request, "admin_referrals_read.html", {
        "rows": [(e, format_entry(e, lang), is_stale(e, today)) for e in entries], "countries": COUNTRIES,
        "country": country, "text_lang": lang, "text_langs": text_languages(),
    })  # fmt: skip
