"""``Index``: the on-disk reference index, opened or created, read (``IndexReader``) and written
(``build.add``: new segments; ``build.remove``: tombstones; ``build.compact``: one segment; each
commit an atomic swap of the manifest, under the write lock)."""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path

from simcheck.embed import Embedder, load_embedder
from simcheck.errors import IndexMismatch, IndexWriteError, UsageError, problem_text
from simcheck.index.build import AddSummary, ProgressCallback, Reader, RemoveSummary, add, compact, remove
from simcheck.index.layout import (
    LOCK,
    MANIFEST,
    WriteLock,
    is_own_name,
    new_manifest,
    read_manifest,
    settings_dict,
)
from simcheck.index.reader import IndexReader
from simcheck.index.writer import write_manifest
from simcheck.settings import IndexSettings


class Index(IndexReader):
    """An on-disk index; implements ``simcheck.search.references.References``.

    Open it with ``Index.open(path)`` (read) or create one with ``Index.create(path, settings)``;
    ``add``, ``remove`` and ``compact`` commit under an exclusive lock.
    """

    @classmethod
    def create(
        cls,
        path: str | Path,
        settings: IndexSettings | None = None,
        embedder: Embedder | None = None,
    ) -> Index:
        """A new, empty index at ``path`` (the folder is created). ``embedder`` defaults to the model
        named in ``settings``; ``settings.model`` is set to the embedder's name.

        If ``path`` already holds an index with the same model and settings, that index is opened;
        with different ones, ``IndexMismatch``.
        """
        folder = Path(path).expanduser()
        settings = settings or IndexSettings()
        if (folder / MANIFEST).exists():
            model = embedder.name if embedder is not None else settings.model
            index = cls.open(folder, model=model, settings=dataclasses.replace(settings, model=model))
            if embedder is not None:
                index.use_embedder(embedder)
            return index
        if folder.exists() and not folder.is_dir():
            raise UsageError(f"{folder}: exists and is not a folder; choose another --index")
        if folder.is_dir():
            strangers = [p.name for p in folder.iterdir() if not is_own_name(p.name)]
            if strangers:
                raise UsageError(
                    f"{folder}: folder is not empty and holds no simcheck index; "
                    "choose a new or empty --index"
                )
        embedder = embedder or load_embedder(settings.model)
        settings = dataclasses.replace(settings, model=embedder.name)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise IndexWriteError(f"cannot create index {folder}: {problem_text(error)}") from error
        with WriteLock(folder):
            if (folder / MANIFEST).exists():  # created meanwhile by another process
                return cls.open(folder, model=embedder.name, settings=settings)
            manifest = new_manifest(embedder.name, embedder.dimension, settings)
            write_manifest(folder, manifest)
        return cls(folder, read_manifest(folder), embedder)

    @classmethod
    def open(
        cls,
        path: str | Path,
        model: str | None = None,
        settings: IndexSettings | None = None,
        embedder: Embedder | None = None,
    ) -> Index:
        """Open an existing index. ``model`` (or ``settings``) that differ from the index's are an
        ``IndexMismatch`` that says how to fix it."""
        folder = Path(path).expanduser()
        manifest = read_manifest(folder)
        index_model = manifest["model"]
        wanted = model or (embedder.name if embedder is not None else None)
        if wanted is not None and wanted != index_model:
            raise IndexMismatch(
                f"index {folder} was built with model {index_model}, not {wanted}: "
                f"use --model {index_model}, or build a new index with --model {wanted} and another --index"
            )
        if embedder is not None and embedder.dimension != manifest["dimension"]:
            raise IndexMismatch(
                f"index {folder} holds {manifest['dimension']}-d vectors but model {embedder.name} gives "
                f"{embedder.dimension}-d: use the index's model or a new --index"
            )
        if settings is not None:
            ours = settings_dict(dataclasses.replace(settings, model=index_model))
            theirs = manifest["settings"]
            diff = sorted(k for k in ours if theirs.get(k) != ours[k])
            if diff:
                shown = ", ".join(f"{k}={theirs.get(k)!r} (asked {ours[k]!r})" for k in diff)
                raise IndexMismatch(
                    f"index {folder} was built with other settings: {shown}; rebuild it into a new --index"
                )
        return cls(folder, manifest, embedder)

    @classmethod
    def open_or_create(
        cls, path: str | Path, model: str | None = None, embedder: Embedder | None = None
    ) -> Index:
        """Open the index at ``path`` (checking ``model``) or create it with ``model``."""
        folder = Path(path).expanduser()
        if (folder / MANIFEST).exists():
            return cls.open(folder, model=model, embedder=embedder)
        settings = IndexSettings() if model is None else IndexSettings(model=model)
        return cls.create(folder, settings, embedder)

    def add(
        self,
        paths: Iterable[str | Path],
        progress: ProgressCallback | None = None,
        exclude: Sequence[str] = (),
        workers: int | None = None,
        engine: str = "local",
        ray_address: str | None = None,
        *,
        follow_links: bool = False,
    ) -> AddSummary:
        """Index the script files under ``paths`` (files or folders, walked for every supported
        extension). New and changed files are read (``workers`` processes; default one per core) and
        embedded; unchanged ones are kept as they are; files under a given folder that were indexed
        and no longer exist are dropped. Files that cannot be read are listed in
        ``AddSummary.skipped`` and the rest is indexed; so are files in folders that are not scripts
        (``read.walk.screenplay_problem``), and links that lead outside the folders given (not
        followed unless ``follow_links``). ``exclude``: globs of files and folders to leave out of the
        folder walk (``read.walk.excluded``). ``engine="ray"``: read, cut and embed on a Ray cluster
        (``ray_address``; default a local Ray), commit here."""
        reader: Reader | None = None
        if engine == "ray":
            from simcheck.index.distributed import ray_reader  # Ray loads only for --engine ray (~2 s)

            reader = ray_reader(self, ray_address)
        elif engine != "local":
            raise UsageError(f"unknown engine {engine!r}: choose local or ray")
        return add(self, paths, progress, workers, reader, exclude, follow_links=follow_links)

    def remove(self, paths: Iterable[str | Path]) -> RemoveSummary:
        """Drop the scripts indexed from ``paths`` (files, or folders: everything indexed under them)."""
        return remove(self, paths)

    def compact(self) -> bool:
        """Merge every segment into one (scripts in path order), dropping removed scripts; False if
        there was nothing to do."""
        return compact(self)

    def destroy(self) -> None:
        """Delete this index: the files simcheck writes (the folder itself stays)."""
        with WriteLock(self.path):
            self.close()
            for entry in self.path.iterdir():
                if is_own_name(entry.name) and entry.name != LOCK:
                    if entry.is_dir() and not entry.is_symlink():
                        shutil.rmtree(entry, ignore_errors=True)
                    else:
                        with contextlib.suppress(OSError):
                            entry.unlink()
        with contextlib.suppress(OSError):
            (self.path / LOCK).unlink()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
