"""The Python roles of the conformance suites, by (protocol, scenario index,
role name): each plays what the TypeScript role of the same address does
(tests/conformance/<layer>/<protocol>.ts), through the Python host."""
from __future__ import annotations

from typing import Any, Callable

import format_roles
import sync_roles
import channel_roles

Role = Callable[[Any, dict, Callable[[Any], None]], Any]

ROLES: dict[tuple[str, int, str], Role] = {}
for module in (format_roles, sync_roles, channel_roles):
    ROLES.update(module.ROLES)
