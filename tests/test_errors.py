from __future__ import annotations

import pickle

from simcheck.errors import InputError, UnsupportedFormat


def test_input_errors_survive_pickling_across_processes() -> None:
    """A worker process (multiprocessing, concurrent.futures) hands errors back pickled."""
    for error in (InputError("draft.fdx", "not valid XML"), UnsupportedFormat("notes.docx", "not a script")):
        again = pickle.loads(pickle.dumps(error))
        assert type(again) is type(error)
        assert (again.path, again.problem, str(again)) == (error.path, error.problem, str(error))
