"""Stage 1, read: files -> ``simcheck.model.Script``.

Owns the readers of every supported format (Fountain, plain text and indentation layouts, Final Draft
FDX, Fade In, Highland, PDF), bytes -> text decoding, the one file walker that both ``simcheck index``
and ``compare --against`` use (so both see the same files), and ``Script`` <-> JSON (the index stores
the script as read; ``simcheck parse --format json`` shows it). Imports only the shared base
(``model``, ``errors``, ``settings``).

A new format: a module here with a ``read_<format>(path, data, strict) -> Script`` function, registered
in ``reader.READERS`` under its extensions (the walker and ``--against`` pick it up from there).
"""

from simcheck.read.reader import SUPPORTED_EXTENSIONS, read_script

__all__ = ["SUPPORTED_EXTENSIONS", "read_script"]
