"""Read ``RUN --mount=...`` flags: cache mounts keep downloads out of layers, bind mounts
let a RUN read build-context files without a COPY layer.

The flag value is CSV, as buildkit reads it (``encoding/csv``): ``type=cache,target=/x``,
and a field may be double-quoted to hold a comma.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import lru_cache

from checker.dockerfile.model import Instruction

_TARGET_KEYS = ("target", "dst", "destination")
_SOURCE_KEYS = ("source", "src")
_TRUE = frozenset(("", "true", "1", "yes", "on"))


@dataclass(frozen=True)
class Mount:
    """One ``--mount`` of a RUN instruction."""

    type: str  # "bind" (buildkit's default), "cache", "tmpfs", "secret", "ssh"
    target: str | None = None
    source: str | None = None  # for bind: a path in the context or in ``from``
    from_: str | None = None  # ``from=stage-or-image``; None means the build context
    id: str | None = None
    sharing: str | None = None  # cache: shared (default), private, locked
    readonly: bool = False
    options: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # every key as written

    def option(self, name: str) -> str | None:
        """The raw value of any key (last one wins), or None."""
        for key, value in reversed(self.options):
            if key == name:
                return value
        return None

    def covers(self, path: str) -> bool:
        """Whether ``path`` (absolute) lies inside this mount's target directory."""
        if not self.target:
            return False
        target = self.target.rstrip("/") or "/"
        return path == target or path.startswith(target if target == "/" else target + "/")


@lru_cache(maxsize=4096)
def parse_mount(value: str | None) -> Mount:
    """Parse one ``--mount`` value; never raises (odd input gives an odd but valid Mount)."""
    fields = _csv_fields(value or "")
    options: list[tuple[str, str]] = []
    for item in fields:
        key, sep, raw = item.partition("=")
        options.append((key.strip().lower(), raw if sep else ""))
    found = dict(options)
    kind = found.get("type", "bind") or "bind"
    readonly = any(
        (key in ("readonly", "ro") and value.lower() in _TRUE)
        or (key == "rw" and value.lower() not in _TRUE)
        for key, value in options
    )
    return Mount(
        type=kind.lower(),
        target=_first(found, _TARGET_KEYS),
        source=_first(found, _SOURCE_KEYS),
        from_=found.get("from"),
        id=found.get("id"),
        sharing=found.get("sharing"),
        readonly=readonly,
        options=tuple(options),
    )


def mounts(instruction: Instruction) -> tuple[Mount, ...]:
    """Every ``--mount`` of a RUN (or of an ONBUILD RUN's trigger), in order."""
    target = instruction.trigger or instruction
    if not target.flags:
        return ()
    return tuple(parse_mount(value) for value in target.flags_named("mount"))


def cache_mounts(instruction: Instruction) -> tuple[Mount, ...]:
    return tuple(mount for mount in mounts(instruction) if mount.type == "cache")


def bind_sources(instruction: Instruction) -> tuple[str, ...]:
    """Build-context paths a RUN reads through bind mounts (not those ``from`` a stage)."""
    return tuple(
        mount.source or "."
        for mount in mounts(instruction)
        if mount.type == "bind" and mount.from_ is None
    )


def _first(found: dict[str, str], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        if key in found:
            return found[key]
    return None


def _csv_fields(value: str) -> list[str]:
    try:
        return next(csv.reader([value]), [])
    except csv.Error:
        return value.split(",")
