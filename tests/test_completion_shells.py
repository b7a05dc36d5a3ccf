"""Completion through real shells. bash and zsh load the scripts that `reetimeline
--show-completion bash|zsh` prints and call the completion function as they do on TAB; the
console script installed in this environment answers. Then, on a pseudo-terminal, each shell
completes a line as a person would (TAB), and runs it: the words the shell passes prove that
the inserted text works (a value with a space arrives as one word). zsh: .ci/run installs it.
"""

import os
import pty
import re
import select
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent  # this environment's bin folder, with the console script
SCRIPT = BIN / "reetimeline"
STORE = """\
[[events]]
id = "busan-a"
date = 2026-01-01
title = "A"
category = "other"

[[events]]
id = "busan-b"
date = 2026-01-02
title = "B"
category = "other"

[[events]]
id = "other"
date = 2026-01-03
title = "O"
category = "other"
"""


def _shell(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is missing: .ci/run installs it")
        pytest.skip(f"{name} is not installed (apt-get install {name})")
    return found


def _env() -> dict[str, str]:
    """The test's isolated environment (conftest), with the console script first on PATH."""
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "LC_ALL": "C.UTF-8", "TERM": "dumb"}  # fmt: skip


@pytest.fixture(scope="module")
def scripts(tmp_path_factory):
    """The completion scripts, as a person installs them (made once: they print no data)."""
    assert SCRIPT.is_file(), "the console script is not installed in this environment"
    folder = tmp_path_factory.mktemp("scripts")
    paths = {}
    for shell in ("bash", "zsh"):
        made = subprocess.run([str(SCRIPT), "--show-completion", shell], capture_output=True,
                              text=True, env=_env(), timeout=60, check=True)  # fmt: skip
        paths[shell] = folder / f"completion.{shell}"
        paths[shell].write_text(made.stdout, encoding="utf-8")
    assert "complete -o default -F _reetimeline_completion reetimeline" in paths["bash"].read_text()
    assert paths["zsh"].read_text().startswith("#compdef reetimeline")
    return paths


@pytest.fixture
def small(tmp_path):
    path = tmp_path / "small.toml"
    path.write_text(STORE, encoding="utf-8")
    return path


def _blocks(output: str) -> list[list[str]]:
    return [block.splitlines() for block in output.split("---\n")[:-1]]


# --- bash: the registered function, called as bash calls it ---------------------------------

BASH_DRIVER = r"""
source "$1"
fn=$(complete -p reetimeline | sed -E 's/.*-F ([^ ]+) .*/\1/')
complete_words() {
    # the words as typed, the last being completed (bash keeps quotes and backslashes in them)
    COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
    COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    "$fn" reetimeline "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    (( ${#COMPREPLY[@]} )) && printf '%s\n' "${COMPREPLY[@]}"
    if (( ${#COMPREPLY[@]} == 1 )); then
        # the line with the reply in place of the word (inside the quote the person opened,
        # which readline closes), read by the shell as it would run it
        word=${COMPREPLY[0]}
        case ${COMP_WORDS[COMP_CWORD]} in "'"*) word="'$word'" ;; '"'*) word="\"$word\"" ;; esac
        eval "set -- ${COMP_WORDS[*]:0:COMP_CWORD} $word"
        printf '=%s\n' "${@: -1}"
    fi
    printf -- '---\n'
}
"""


def test_bash_completes_values_whatever_their_case_and_quotes_them(scripts, small, tmp_path):
    cases = [
        ["reetimeline", "list", "-c", "ja"],
        ["reetimeline", "list", "-m", "DY"],
        ["reetimeline", "list", "-m", "редкие"],
        ["reetimeline", "list", "-m", "'редкие з"],
        ["reetimeline", "export", "-f", ""],
        ["reetimeline", "--color", ""],
        ["reetimeline", "--store", str(small), "show", "BU"],
        ["reetimeline", "import", ""],
    ]
    driver = tmp_path / "driver.bash"
    driver.write_text(BASH_DRIVER + "".join(
        "complete_words " + " ".join(shlex.quote(w) for w in words) + "\n" for words in cases
    ))  # fmt: skip
    done = subprocess.run([_shell("bash"), "--norc", "--noprofile", str(driver),
                           str(scripts["bash"])], capture_output=True, text=True, env=_env(),
                          timeout=120)  # fmt: skip
    assert done.returncode == 0 and not done.stderr, done.stderr
    assert _blocks(done.stdout) == [
        ["jamaica", "jam", "japan"],  # in the case typed, so that readline keeps "ja"
        ["dysprosium", "Dy"],
        ["редкие\\ земли", "=редкие земли"],
        ["редкие земли", "=редкие земли"],  # inside the quote typed
        ["csv", "json", "jsonl", "ics", "md", "timelinejs", "xlsx"],
        ["auto", "always", "never"],
        ["busan-a", "busan-b"],  # the ids of the --store on the line
        [],  # a file name: bash completes it itself (-o default)
    ]


# --- zsh: the completion function, with the completion system's builtins as shims -----------

ZSH_DRIVER = r"""
compdef() { : }
compadd() { print -r -- compadd; print -rl -- "$@" }
_arguments() { print -r -- _arguments; print -rl -- "$@" }
_files() { print -r -- _files }
source "$1"
complete_words() { words=("$@"); CURRENT=$#; _reetimeline_completion; print -r -- --- }
"""


def test_zsh_gets_values_whatever_their_case_each_one_word(scripts, tmp_path):
    cases = [
        ["reetimeline", "list", "-m", "DY"],
        ["reetimeline", "list", "-m", "редкие\\ з"],
        ["reetimeline", "import", ""],
    ]
    driver = tmp_path / "driver.zsh"
    driver.write_text(ZSH_DRIVER + "".join(
        "complete_words " + " ".join(shlex.quote(w) for w in words) + "\n" for words in cases
    ))  # fmt: skip
    done = subprocess.run([_shell("zsh"), "-f", str(driver), str(scripts["zsh"])],
                          capture_output=True, text=True, env=_env(), timeout=120)  # fmt: skip
    assert done.returncode == 0 and not done.stderr, done.stderr
    values = ["compadd", "-M", "m:{[:lower:][:upper:]}={[:upper:][:lower:]}", "-V", "reetimeline",
              "--"]  # fmt: skip
    assert _blocks(done.stdout) == [
        [*values, "dysprosium", "Dy"],  # zsh matches them to DY, whatever the case
        [*values, "редкие земли"],  # one word
        ["_files"],
    ]


# --- on a terminal: TAB, then the line run ----------------------------------------------------


def _typed(argv: list[str], setup: str, lines: list[str]) -> list[list[str]]:
    """Type `setup`, then each line followed by TAB, then make the completed line print its
    words (Ctrl-A, `printf ...`, Ctrl-E, Enter) in a shell on a pseudo-terminal. Keys typed
    while a completion runs wait in the terminal, so everything is typed at once; the words of
    each line come back in order."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the shell, on the terminal
        try:
            os.execve(argv[0], argv, _env())
        finally:
            os._exit(127)
    keys = setup + "\n"
    for number, line in enumerate(lines):
        keys += f"{line}\t\x01printf 'W{number}<%s>\\n' \x05\n"
    keys += "exit\n"
    os.write(fd, keys.encode("utf-8"))
    output = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the shell exited
            break
        if not chunk:
            break
        output += chunk
    os.close(fd)
    os.waitpid(pid, 0)
    text = output.decode("utf-8", "replace").replace("\r", "")
    return [re.findall(rf"^W{n}<(.*)>$", text, flags=re.M) for n in range(len(lines))]


@pytest.mark.slow
def test_bash_on_a_terminal_inserts_what_the_shell_reads_back(scripts):
    lines = ["reetimeline list -m редкие", "reetimeline list -c jap"]
    words = _typed([_shell("bash"), "--norc", "--noprofile", "-i"],
                   f"source {shlex.quote(str(scripts['bash']))}", lines)  # fmt: skip
    assert words == [
        ["reetimeline", "list", "-m", "редкие земли"],
        ["reetimeline", "list", "-c", "Japan"],
    ]


@pytest.mark.slow
def test_zsh_on_a_terminal_inserts_what_the_shell_reads_back(scripts):
    setup = f"autoload -Uz compinit && compinit -u -D && source {shlex.quote(str(scripts['zsh']))}"
    lines = ["reetimeline list -m редкие", "reetimeline list -m DYS"]
    words = _typed([_shell("zsh"), "-f", "-i"], setup, lines)
    assert words == [
        ["reetimeline", "list", "-m", "редкие земли"],
        ["reetimeline", "list", "-m", "dysprosium"],
    ]
