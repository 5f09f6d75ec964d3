"""The workspaces' shared page chrome: templates, static files, UI strings, charts, session cookies, headers.

Nothing here knows a feature: each feature room has its own ``routes.py``
that renders with ``app.web.templating``, and ``app.main`` mounts them all.
"""

from __future__ import annotations

from pathlib import Path

STATIC = Path(__file__).parent / "static"
