"""The environment a RUN sees from the Dockerfile: ENV and ARG values set before it.

Install rules need it because ``ENV PIP_NO_CACHE_DIR=1`` earlier in the stage turns pip's
cache off for every later ``pip install``. Values are unquoted and ``$VAR``/``${VAR}`` are
expanded from what is already known, like Docker does; unknown variables expand to "".
"""

from __future__ import annotations

from checker.dockerfile.model import Dockerfile, Instruction


def stage_environment(dockerfile: Dockerfile, instruction: Instruction) -> dict[str, str]:
    """ENV and ARG values in force for ``instruction`` (parent stages' ENV included)."""
    if instruction.stage < 0 or instruction.stage >= len(dockerfile.stages):
        return {}
    global_args: dict[str, str] = {}
    for arg in dockerfile.global_args:
        global_args.update(_arg_values(arg, global_args, global_args))
    env, args = _environment(dockerfile, instruction.stage, instruction.line, global_args, 0)
    return {**args, **env}


def _environment(
    dockerfile: Dockerfile, index: int, before_line: int, global_args: dict[str, str], depth: int
) -> tuple[dict[str, str], dict[str, str]]:
    """(ENV, ARG) values of stage ``index`` before ``before_line``; ENV carries to children."""
    stage = dockerfile.stages[index]
    env: dict[str, str] = {}
    parent = dockerfile.stage_named(stage.base)
    if parent is not None and parent.index < index and depth < len(dockerfile.stages):
        parent_env, _ = _environment(dockerfile, parent.index, 1 << 30, global_args, depth + 1)
        env.update(parent_env)
    args: dict[str, str] = {}
    for instruction in stage.instructions:
        if instruction.line >= before_line:
            break
        known = {**args, **env}
        if instruction.keyword == "ENV":
            pairs = instruction.arguments
            for position in range(0, len(pairs) - 1, 2):
                env[pairs[position]] = unquote(pairs[position + 1], known)
                known[pairs[position]] = env[pairs[position]]
        elif instruction.keyword == "ARG":
            args.update(_arg_values(instruction, known, global_args))
    return env, args


def _arg_values(
    instruction: Instruction, known: dict[str, str], global_args: dict[str, str]
) -> dict[str, str]:
    values = {}
    for word in instruction.arguments:
        name, sep, value = word.partition("=")
        if sep:
            values[name] = unquote(value, known)
        elif name in global_args:
            values[name] = global_args[name]
    return values


def unquote(text: str, known: dict[str, str] | None = None) -> str:
    """Remove shell quoting and expand ``$NAME``/``${NAME}``/``${NAME:-x}`` from ``known``."""
    known = known or {}
    out: list[str] = []
    position = 0
    size = len(text)
    quote = ""
    while position < size:
        char = text[position]
        if quote == "'":
            if char == "'":
                quote = ""
            else:
                out.append(char)
            position += 1
            continue
        if char == "'" and not quote:
            quote = "'"
            position += 1
            continue
        if char == '"':
            quote = "" if quote == '"' else '"'
            position += 1
            continue
        if char == "\\" and position + 1 < size:
            out.append(text[position + 1])
            position += 2
            continue
        if char == "$" and position + 1 < size:
            value, position = _expand(text, position + 1, known)
            out.append(value)
            continue
        out.append(char)
        position += 1
    return "".join(out)


def _expand(text: str, position: int, known: dict[str, str]) -> tuple[str, int]:
    """Expand the variable after a ``$`` at ``position - 1``; return (value, next index)."""
    if text[position] == "{":
        end = text.find("}", position)
        if end < 0:
            return "$" + text[position:], len(text)
        body = text[position + 1 : end]
        name, sep, default = body.partition(":-")
        if not sep:
            name, sep, default = body.partition("-")
        value = known.get(name, "")
        if sep and not value:
            value = default
        return value, end + 1
    end = position
    while end < len(text) and (text[end].isalnum() or text[end] == "_"):
        end += 1
    if end == position:
        return "$", position
    return known.get(text[position:end], ""), end
