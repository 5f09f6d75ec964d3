"""Form fields as ``Annotated`` aliases, named once for every workspace route."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form

FormStr = Annotated[str, Form()]
FormList = Annotated[list[str], Form()]
