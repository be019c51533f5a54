"""Every command the CLI lists is a real command with a module, help and examples."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from geomap.cli import COMMANDS, cli


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_registered_command_loads(name):
    command = cli.get_command(click.Context(cli), name)
    assert isinstance(command, click.Command), f"{name}: {COMMANDS[name]} is not a click command"


def test_help_lists_exactly_the_registered_commands():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    lines = result.output.split("Commands:")[1].strip().splitlines()
    assert [line.split()[0] for line in lines] == sorted(COMMANDS)


def test_an_unknown_command_is_a_usage_error():
    result = CliRunner().invoke(cli, ["gazetteer"])
    assert result.exit_code == 2 and "No such command" in result.output
