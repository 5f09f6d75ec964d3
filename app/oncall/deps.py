"""On-call's parts as route dependencies."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.oncall.escalations import OnCallDeps
from app.platform.deps import provided

OnCallDep = Annotated[OnCallDeps, Depends(provided("oncall"))]
