"""The context tar: owners reset like the docker CLI's, .dockerignore honoured, Dockerfile sent.

If these fail, a notebook build and a terminal ``docker build`` stop sharing the COPY cache, or
files the learner excluded end up in the image.
"""

from __future__ import annotations

import os
import tarfile
from pathlib import Path

import pytest

from checker.build.context import make_context


def members(context_dir: Path, dockerfile: str | None = None) -> dict[str, tarfile.TarInfo]:
    context = make_context(context_dir, dockerfile)
    with tarfile.open(fileobj=context.tar) as archive:
        return {member.name: member for member in archive.getmembers()}


def test_owners_are_root_without_names_and_modes_and_mtimes_are_kept(sample_context: Path):
    script = sample_context / "run.py"
    os.chmod(script, 0o750)
    os.utime(script, (1_600_000_000, 1_600_000_000))
    found = members(sample_context)
    assert set(found) >= {"Dockerfile", "requirements.txt", "run.py"}
    for member in found.values():
        assert (member.uid, member.gid, member.uname, member.gname) == (0, 0, "", "")
    assert found["run.py"].mode & 0o777 == 0o750
    assert found["run.py"].mtime == 1_600_000_000


def test_contents_are_the_files(sample_context: Path):
    context = make_context(sample_context)
    with tarfile.open(fileobj=context.tar) as archive:
        data = archive.extractfile("run.py").read()  # type: ignore[union-attr]
    assert data == (sample_context / "run.py").read_bytes()
    assert context.dockerfile == "Dockerfile"


def test_dockerignore_is_honoured_but_dockerfile_and_dockerignore_are_sent(sample_context: Path):
    (sample_context / "secret.env").write_text("TOKEN=1\n")
    (sample_context / "cache").mkdir()
    (sample_context / "cache" / "x.pyc").write_bytes(b"\0")
    (sample_context / ".dockerignore").write_text("# comment\n*.env\ncache\nDockerfile\n")
    found = members(sample_context)
    assert "secret.env" not in found
    assert not any(name.startswith("cache") for name in found)
    assert "Dockerfile" in found and ".dockerignore" in found


def test_dockerfile_in_a_subdirectory(sample_context: Path):
    (sample_context / "docker").mkdir()
    (sample_context / "docker" / "Dockerfile.dev").write_text("FROM python:3.11-slim\n")
    context = make_context(sample_context, "docker/Dockerfile.dev")
    assert context.dockerfile == "docker/Dockerfile.dev"


def test_dockerfile_outside_the_context_is_added_under_a_generated_name(
    sample_context: Path, tmp_path: Path
):
    outside = tmp_path / "elsewhere.Dockerfile"
    outside.write_text("FROM python:3.11-slim\nCOPY run.py /srv/\n")
    context = make_context(sample_context, outside)
    assert context.dockerfile.startswith(".dockerfile.")
    with tarfile.open(fileobj=context.tar) as archive:
        data = archive.extractfile(context.dockerfile).read()  # type: ignore[union-attr]
        owner = archive.getmember(context.dockerfile).uid
    assert data == outside.read_bytes() and owner == 0


def test_missing_dockerfile_is_a_clear_error(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="no Dockerfile"):
        make_context(tmp_path)
