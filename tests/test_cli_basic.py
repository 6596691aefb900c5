from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from simcheck import __version__
from simcheck.cli import cli

HEAVY = ("torch", "sentence_transformers", "faiss", "transformers")


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"simcheck, version {__version__}"


def test_help_lists_commands() -> None:
    result = CliRunner().invoke(cli, ["-h"])
    assert result.exit_code == 0
    for command in ("index", "compare", "parse", "info"):
        assert command in result.output


def test_help_and_version_do_not_load_the_model_stack() -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from simcheck.cli import cli\n"
        "for args in (['--help'], ['--version'], ['compare', '--help'], ['index', '--help']):\n"
        "    assert CliRunner().invoke(cli, args).exit_code == 0, args\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_python_dash_m_entry_point() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "simcheck", "--version"], capture_output=True, text=True, check=True
    )
    assert __version__ in out.stdout


def test_the_documented_api_names_are_what_they_say_whatever_was_imported_first() -> None:
    # simcheck.compare (the module) is imported by Index and by every compare; the package's
    # ``compare`` must stay the function (the README's `from simcheck import Index, compare, read_script`)
    code = (
        "import simcheck.index.store, simcheck.compare\n"
        "from simcheck import Index, compare, read_script\n"
        "import simcheck\n"
        "from simcheck.compare import Comparer\n"
        "assert callable(compare) and compare is simcheck.compare, compare\n"
        "assert compare.__module__ == 'simcheck.compare' and Index.__name__ == 'Index'\n"
        "assert read_script.__name__ == 'read_script' and Comparer.__name__ == 'Comparer'\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.stdout == "ok\n", result.stderr
