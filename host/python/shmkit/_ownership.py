"""Whether an existing segment may be joined: whoever made a name first can
read and change everything put there, so an object owned (or, System V,
created) by another user, or open wider than asked, is refused unless the
caller says it is trusted — the Node host's rule (host/linux/ownership.ts).
"""
from __future__ import annotations

import os
from typing import Optional

from .errors import shm_error


def check_joinable(
    what: str, *, uid: int, mode: int, creator_uid: Optional[int], wanted_mode: int, allow_foreign_owner: bool, removal: str
) -> None:
    me = os.geteuid()
    if not allow_foreign_owner:
        owner = f"is owned by uid {uid}" if uid != me else f"was created by uid {creator_uid}" if creator_uid not in (None, me) else ""
        if owner:
            raise shm_error(
                "EPERM",
                f"{what} exists and {owner}, not by this user (uid {me}), so it is not joined: whoever made it first can "
                f"read and change what this process puts there. Pass allow_foreign_owner=True if that user is trusted; "
                f"otherwise remove it ({removal}) and create it again, or ask for exclusive=True to insist on a new object",
                object=what,
            )
    extra = mode & 0o777 & ~wanted_mode
    if extra:
        raise shm_error(
            "EACCES",
            f"{what} exists with mode {mode & 0o777:#o}, wider than the {wanted_mode:#o} asked ({extra:#o} more), so it "
            f"is not joined: others may read or change it. Pass mode={mode & 0o777:#o} to accept it, narrow it (chmod), "
            f"or remove it ({removal}) and create it again",
            object=what,
        )
