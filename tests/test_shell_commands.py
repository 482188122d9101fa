"""Shell text into simple commands: the fast tokenizer, bashlex, the fallback, unwrapping."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from checker.shell import commands, raw_commands, shell_commands, unwrap
from checker.shell.commands import _bashlex_commands, _fast_commands, _shlex_commands


def test_and_or_semicolon_and_pipe_separate_commands() -> None:
    assert commands("apt-get update && apt-get install -y git || true; echo a | tee b") == [
        ("apt-get", "update"),
        ("apt-get", "install", "-y", "git"),
        ("true",),
        ("echo", "a"),
        ("tee", "b"),
    ]


def test_quotes_escapes_and_continuations_are_resolved_like_a_shell() -> None:
    assert commands("pip install 'flask>=2' \"req[s]<3\" e\\ f \\\n  --user") == [
        ("pip", "install", "flask>=2", "req[s]<3", "e f", "--user"),
    ]


def test_text_inside_quotes_is_not_a_command() -> None:
    assert commands('echo "pip install flask && pip install ."') == [
        ("echo", "pip install flask && pip install ."),
    ]


def test_comments_and_redirections_are_dropped() -> None:
    assert commands("pip install x > /dev/null 2>&1 # quiet\n# pip install y\n") == [
        ("pip", "install", "x"),
    ]


def test_if_and_for_bodies_are_walked_through_bashlex() -> None:
    text = "if [ -f r.txt ]; then pip install -r r.txt; fi; for p in a b; do pip install $p; done"
    assert _fast_commands(text) is None  # compound: left to bashlex
    assert commands(text) == [
        ("[", "-f", "r.txt", "]"),
        ("pip", "install", "-r", "r.txt"),
        ("pip", "install", "$p"),
    ]


def test_subshells_braces_and_command_substitution_are_walked() -> None:
    assert commands("(cd app && pip install .) && { pip install a; }") == [
        ("cd", "app"),
        ("pip", "install", "."),
        ("pip", "install", "a"),
    ]
    assert commands("pip install $(cat reqs.txt)") == [
        ("pip", "install", "$(cat reqs.txt)"),
        ("cat", "reqs.txt"),
    ]


def test_shell_bashlex_cannot_parse_falls_back_without_raising() -> None:
    text = "echo $(( 1 + 2 )) && case x in a) pip install a;; esac"
    assert _bashlex_commands(text) is None
    found = commands(text)
    assert ("pip", "install", "a") in found or any("pip" in argv for argv in found)


def test_double_bracket_test_is_plain_words_for_the_fast_path() -> None:
    assert commands("[[ -f x ]] && pip install .") == [
        ("[[", "-f", "x", "]]"),
        ("pip", "install", "."),
    ]


def test_unwraps_sh_c_env_sudo_and_assignment_prefixes() -> None:
    assert commands("sh -c 'pip install -e .'") == [("pip", "install", "-e", ".")]
    assert commands('bash -ec "cd /app && pip install ."') == [
        ("cd", "/app"),
        ("pip", "install", "."),
    ]
    assert commands("VAR=1 OTHER=2 pip install flask") == [("pip", "install", "flask")]
    assert commands("env -u X PIP_NO_CACHE_DIR=1 pip install a") == [("pip", "install", "a")]
    assert commands("sudo -u app -E pip install a") == [("pip", "install", "a")]
    assert commands("exec nice -n 5 pip install a") == [("pip", "install", "a")]


def test_negation_and_xargs_run_the_command_they_wrap() -> None:
    assert commands("! pip install a") == [("pip", "install", "a")]
    assert commands("grep -v '^#' requirements.txt | xargs -r -n 1 pip install") == [
        ("grep", "-v", "^#", "requirements.txt"),
        ("pip", "install"),
    ]


def test_unwrap_keeps_assignments_and_wrapper_names() -> None:
    unwrapped = unwrap(("sudo", "-E", "env", "A=1", "B=2", "pip", "install", "x"))
    assert unwrapped.argv == ("pip", "install", "x")
    assert unwrapped.env == (("A", "1"), ("B", "2"))
    assert unwrapped.via == ("sudo", "env")


def test_sh_without_c_runs_a_file_and_is_not_unwrapped() -> None:
    assert commands("sh install.sh") == [("sh", "install.sh")]


def test_cd_and_export_state_reaches_later_commands() -> None:
    found = shell_commands("cd app && export PIP_NO_CACHE_DIR=1 && cd sub && pip install .")
    pip = found[-1]
    assert pip.argv == ("pip", "install", ".")
    assert pip.cwd == "app/sub"
    assert pip.getenv("PIP_NO_CACHE_DIR") == "1"
    assert [command.index for command in found] == [0, 1, 2, 3]


def test_unexported_shell_variable_is_not_in_the_environment_of_later_commands() -> None:
    assert (
        shell_commands("PIP_NO_CACHE_DIR=1; pip install a")[-1].getenv("PIP_NO_CACHE_DIR") is None
    )
    exported = shell_commands("PIP_NO_CACHE_DIR=1; export PIP_NO_CACHE_DIR; pip install a")
    assert exported[-1].getenv("PIP_NO_CACHE_DIR") == "1"


def test_sh_c_changes_do_not_leak_to_the_outer_script() -> None:
    found = shell_commands("sh -c 'cd /x && export A=1' && pip install .")
    assert found[-1].cwd is None and found[-1].getenv("A") is None


def test_line_offsets_count_newlines_in_the_script() -> None:
    found = shell_commands("set -e\npip install a\n\npip install b\n")
    assert [(command.argv[-1], command.line_offset) for command in found] == [
        ("-e", 0),
        ("a", 1),
        ("b", 3),
    ]


def test_results_are_cached_per_text() -> None:
    text = "pip install cached-package"
    assert raw_commands(text) is raw_commands(text)


SIMPLE_ATOMS = (
    "pip", "install", "-r", "req.txt", "'a b'", '"c d"', '"x\\"y"', "e\\ f", "$HOME", "${X}",
    "&&", "||", ";", "|", "&", "\n", "# c", "2>&1", ">", "/dev/null", "x=1", "a#b", "\\\n",
    '""', "''", " ", "\t", ">>", "<", "in",
)  # fmt: skip


def test_fast_tokenizer_agrees_with_bashlex_on_plain_command_lists() -> None:
    compared = 0
    for seed in range(3000):
        rng = random.Random(seed)
        text = " ".join(rng.choice(SIMPLE_ATOMS) for _ in range(rng.randint(1, 12)))
        fast = _fast_commands(text)
        slow = _bashlex_commands(text)
        if fast is None or slow is None:
            continue
        compared += 1
        assert [c.argv for c in fast] == [c.argv for c in slow], text
    assert compared > 1000


def test_adjacent_single_quotes_concatenate_as_in_bash_unlike_bashlex() -> None:
    # bashlex keeps "it''s"; sh makes "its". The fast path follows the shell.
    assert commands("echo 'it''s'") == [("echo", "its")]


def test_fallback_splits_on_operators_and_survives_unterminated_quotes() -> None:
    assert [c.argv for c in _shlex_commands("a b && c | d; e")] == [
        ("a", "b"),
        ("c",),
        ("d",),
        ("e",),
    ]
    assert [c.argv for c in _shlex_commands("pip install 'unterminated")] == [
        ("pip", "install", "'unterminated"),
    ]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab $(){}[]'\"\\`|&;<>#\n\t=-!*", max_size=60))
def test_commands_never_raise_on_arbitrary_shell_text(text: str) -> None:
    for argv in commands(text):
        assert isinstance(argv, tuple)
        assert all(isinstance(word, str) for word in argv)


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet="pip install-r.txt uv sync poetry conda env -f=$'\"\\&|;\n<>#()", max_size=80)
)
def test_find_installs_never_raises_on_arbitrary_run_text(text: str) -> None:
    from checker.dockerfile import DockerfileSyntaxError, parse
    from checker.shell import find_installs

    try:
        dockerfile = parse("FROM a\nRUN " + text)
    except DockerfileSyntaxError:
        return
    for instruction in dockerfile.instructions:
        for record in find_installs(instruction):
            assert record.tool and isinstance(record.reads, tuple)
