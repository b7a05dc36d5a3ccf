"""Typer's and Click's private API is used in one module, `cli/typer_adapter.py`. After a Typer
upgrade these tests say exactly which private name moved, before anything else fails obscurely."""

import importlib
import inspect
import re
from pathlib import Path

import pytest
import typer

from reetimeline.cli import typer_adapter

SRC = Path(__file__).resolve().parents[1] / "src" / "reetimeline"


def _lookup(module: str, name: str):
    """`module.name`, where `module` may end in a class (`typer.core.TyperGroup`)."""
    parts = module.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attribute in [*parts[cut:], name]:
            found = getattr(found, attribute)
        return found
    raise ImportError(module)


@pytest.mark.parametrize(("module", "name"), typer_adapter.PRIVATE_NAMES,
                         ids=[f"{m}.{n}" for m, n in typer_adapter.PRIVATE_NAMES])  # fmt: skip
def test_each_private_name_is_where_the_adapter_takes_it_from(module, name):
    try:
        _lookup(module, name)
    except (ImportError, AttributeError) as exc:
        pytest.fail(f"Typer {typer.__version__} moved {module}.{name}, which "
                    f"cli/typer_adapter.py uses ({exc}); adapt that module")


@pytest.mark.parametrize(
    ("module", "name", "parameters"),
    [
        ("typer._click.shell_completion", "_resolve_context",
         ["cli", "ctx_args", "prog_name", "args"]),
        ("typer._click.shell_completion", "_resolve_incomplete", ["ctx", "args", "incomplete"]),
        ("typer._completion_shared", "get_completion_script",
         ["prog_name", "complete_var", "shell"]),
        ("typer.core.TyperGroup", "_main_shell_completion",
         ["self", "ctx_args", "prog_name", "complete_var"]),
    ],
)  # fmt: skip
def test_private_functions_take_what_the_adapter_gives(module, name, parameters):
    found = list(inspect.signature(_lookup(module, name)).parameters)
    assert found == parameters, (
        f"Typer {typer.__version__} changed the parameters of {module}.{name}: {found}; "
        "adapt reetimeline/cli/typer_adapter.py"
    )


def test_no_other_module_touches_typers_private_api():
    private = re.compile(r"typer\._|typer\.core|from typer import _|import click\b")
    users = sorted(
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if path.name != "typer_adapter.py" and private.search(path.read_text(encoding="utf-8"))
    )
    assert users == []


def test_the_hook_runs_before_a_completion_is_answered(monkeypatch):
    from reetimeline.cli import application

    calls = []
    monkeypatch.setattr(application.completion, "register", lambda: calls.append("register"))
    command = typer.main.get_command(application.app)
    monkeypatch.setenv("_REETIMELINE_COMPLETE", "complete_bash")
    monkeypatch.setenv("COMP_WORDS", "reetimeline vocab ")
    monkeypatch.setenv("COMP_CWORD", "2")
    with pytest.raises(SystemExit):
        command.main([], prog_name="reetimeline")
    assert calls == ["register"]


def test_the_pin_names_the_adapter():
    pyproject = (SRC.parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    pin = pyproject[: pyproject.index('"typer>=')]
    comment = pin[pin.rindex("dependencies = [") :]
    assert "cli/typer_adapter.py" in comment
