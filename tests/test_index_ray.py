"""``simcheck index --engine ray`` on a local Ray (2 CPUs): the same index, the same compare JSON."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from fakes import HashEmbedder

from simcheck.compare import compare
from simcheck.index.store import Index
from simcheck.settings import IndexSettings

ray = pytest.importorskip("ray", reason="Ray is not installed: pip install 'simcheck[ray]'")
pytest.importorskip("ray.data", reason="Ray Data is not installed: pip install 'simcheck[ray]'")

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # Ray Data's own, on its context

FIXTURES = Path(__file__).parent / "fixtures" / "compare"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def local_ray():
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        runtime_env={
            "env_vars": {"PYTHONPATH": f"{ROOT}:{ROOT / 'tests'}"},
            "worker_process_setup_hook": "fakes.register_fake_embedder",
        },
    )
    yield
    ray.shutdown()


def test_a_ray_build_gives_the_same_index_and_compare_json(tmp_path: Path, local_ray) -> None:
    refs = tmp_path / "refs"
    refs.mkdir()
    for name in ("keepers_daughter", "orchard_debts", "night_shift", "bakery"):
        shutil.copy(FIXTURES / f"{name}.fountain", refs / f"{name}.fountain")
    (refs / "broken.fountain").write_bytes(b"\x00\x01\x02\xff" * 50)
    local = Index.create(tmp_path / "local", IndexSettings(), HashEmbedder(64))
    local_summary = local.add([refs])
    distributed = Index.create(tmp_path / "ray", IndexSettings(), HashEmbedder(64))
    ray_summary = distributed.add([refs], engine="ray")
    assert ray_summary.added == local_summary.added and len(ray_summary.added) == 4
    assert ray_summary.skipped == local_summary.skipped and len(ray_summary.skipped) == 1
    assert ray_summary.embedded == ray_summary.passages  # embedded on Ray, none here
    assert distributed.manifest_sha256 == local.manifest_sha256  # the same files, byte for byte
    reports = []
    for folder in (tmp_path / "local", tmp_path / "ray"):
        report = compare(FIXTURES / "salt_and_signal.fountain", index=folder, embedder=HashEmbedder(64))
        data = report.to_dict()
        data["index"].pop("path")
        reports.append(json.dumps(data, sort_keys=True, default=str))
    assert reports[0] == reports[1] and '"matches": [' in reports[0]
    again = distributed.add([refs], engine="ray")  # nothing new: nothing is sent to Ray
    assert not again.changed and again.unchanged == 4
    from click.testing import CliRunner

    from simcheck.cli import cli

    args = ["index", str(refs), "--index", str(tmp_path / "cli"), "--model", "hash-64", "--engine", "ray"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert Index.open(tmp_path / "cli").manifest_sha256 == local.manifest_sha256
