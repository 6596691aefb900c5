"""Which index a command uses: --index, then $SIMCHECK_INDEX, then the project file found upward from the
current folder (simcheck.toml, or [tool.simcheck] in pyproject.toml), then the per-user default."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from simcheck.cli import cli
from simcheck.errors import UsageError
from simcheck.settings import INDEX_ENV_VAR, resolve_index, user_index_dir

FIXTURES = Path(__file__).parent / "fixtures" / "compare"
PLANTED = str(FIXTURES / "salt_and_signal.fountain")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project folder, the current folder, with no SIMCHECK_INDEX set and a private user dir."""
    monkeypatch.delenv(INDEX_ENV_VAR, raising=False)
    monkeypatch.setattr("simcheck.settings.user_index_dir", lambda: tmp_path / "user" / "default")
    root = tmp_path / "project"
    (root / "drafts" / "act1").mkdir(parents=True)
    monkeypatch.chdir(root / "drafts" / "act1")
    return root


def test_order_index_option_then_environment_then_project_then_user(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = Path.cwd()
    assert resolve_index().path == project.parent / "user" / "default"  # nothing set: per user
    assert resolve_index().source == "the per-user default"
    (project / "pyproject.toml").write_text('[tool.simcheck]\nindex = "refs-index"\n', encoding="utf-8")
    found = resolve_index()
    assert found.path == project / "refs-index"  # relative to the file, not to the current folder
    assert found.source == str(project / "pyproject.toml")
    (project / "drafts" / "simcheck.toml").write_text('index = "../near"\n', encoding="utf-8")
    assert resolve_index().path == project / "drafts" / ".." / "near"  # the nearest file wins
    monkeypatch.setenv(INDEX_ENV_VAR, str(here / "from-env"))
    assert resolve_index().path == here / "from-env"
    assert resolve_index("explicit").path == Path("explicit")
    assert resolve_index("explicit").source == "--index"


def test_a_pyproject_without_our_table_is_ignored_even_if_broken(project: Path) -> None:
    (project / "pyproject.toml").write_text("[project\nname = 'other'\n", encoding="utf-8")  # not TOML
    assert resolve_index().source == "the per-user default"
    (project / "pyproject.toml").write_text("[tool.black]\nline-length = 100\n", encoding="utf-8")
    assert resolve_index().source == "the per-user default"


@pytest.mark.parametrize(
    "name,content,problem",
    [
        ("simcheck.toml", "index = [1, 2]\n", "index must be a folder name in quotes"),
        ("simcheck.toml", "index = \n", "not valid TOML"),
        ("pyproject.toml", "[tool.simcheck]\nindex = 3\n", "[tool.simcheck] index must be a folder name"),
    ],
)
def test_a_bad_project_setting_is_a_one_line_usage_error(
    project: Path, name: str, content: str, problem: str
) -> None:
    (project / name).write_text(content, encoding="utf-8")
    with pytest.raises(UsageError, match=problem.replace("[", r"\[")):
        resolve_index()
    result = CliRunner().invoke(cli, ["compare", PLANTED, "--model", "hash-64"])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {project / name}: ") and result.stderr.count("\n") == 1


def test_index_and_compare_use_the_project_index(project: Path) -> None:
    (project / "simcheck.toml").write_text('index = "indexes/refs"\n', encoding="utf-8")
    built = CliRunner().invoke(
        cli, ["index", str(FIXTURES / "keepers_daughter.fountain"), "--model", "hash-64"]
    )
    assert built.exit_code == 0, built.output
    assert (project / "indexes" / "refs" / "manifest.json").is_file()
    result = CliRunner().invoke(cli, ["compare", PLANTED, "--format", "json"])
    assert result.exit_code == 3, result.output
    assert '"path": "' + str(project / "indexes" / "refs") + '"' in result.stdout


def test_a_missing_default_index_says_where_the_choice_came_from(project: Path) -> None:
    (project / "simcheck.toml").write_text('index = "nowhere"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["compare", PLANTED, "--model", "hash-64"])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: no index at {project / 'nowhere'}")
    assert result.stderr.endswith(f"(the index named by {project / 'simcheck.toml'})\n")


def test_the_per_user_default_is_under_the_user_data_folder() -> None:
    import platformdirs

    assert user_index_dir() == Path(platformdirs.user_data_path("simcheck")) / "indexes" / "default"


def test_help_shows_the_order() -> None:
    text = CliRunner().invoke(cli, ["info", "--help"], terminal_width=200).stdout
    assert "$SIMCHECK_INDEX, else" in text and "simcheck.toml" in text and "pyproject.toml" in text
