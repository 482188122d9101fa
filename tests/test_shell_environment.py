"""The ENV/ARG environment a RUN sees, as the install rules read it (Docker's expansion)."""

from __future__ import annotations

from checker.dockerfile import parse
from checker.shell import stage_environment


def environment_at(text: str, line: int) -> dict[str, str]:
    dockerfile = parse(text)
    (instruction,) = [item for item in dockerfile.instructions if item.line == line]
    return stage_environment(dockerfile, instruction)


def test_env_and_arg_before_the_run_in_the_same_stage() -> None:
    text = 'FROM a\nENV A=1 B="two words"\nARG C=3\nRUN echo\nENV LATER=x\n'
    assert environment_at(text, 4) == {"A": "1", "B": "two words", "C": "3"}


def test_legacy_env_form_and_expansion_of_earlier_values() -> None:
    text = "FROM a\nENV HOME_DIR /home/app\nENV CACHE=${HOME_DIR}/.cache OTHER=$MISSING\nRUN x\n"
    assert environment_at(text, 4) == {
        "HOME_DIR": "/home/app",
        "CACHE": "/home/app/.cache",
        "OTHER": "",
    }


def test_env_is_inherited_from_a_parent_stage_but_args_are_not() -> None:
    text = "FROM a AS base\nENV PIP_NO_CACHE_DIR=1\nARG LOCAL=1\nFROM base\nRUN x\n"
    assert environment_at(text, 5) == {"PIP_NO_CACHE_DIR": "1"}


def test_global_arg_default_reaches_a_stage_only_when_redeclared() -> None:
    text = "ARG VERSION=1.0\nFROM a\nRUN x\nARG VERSION\nRUN y\n"
    assert environment_at(text, 3) == {}
    assert environment_at(text, 5) == {"VERSION": "1.0"}
