"""The bot's texts as a route dependency (the catalogue the running app answers from)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.platform.deps import provided
from app.scripts.service import ScriptCatalog

ScriptsDep = Annotated[ScriptCatalog, Depends(provided("scripts"))]
