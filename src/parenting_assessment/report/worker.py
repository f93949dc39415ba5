"""Render one language in a separate process (a fresh interpreter, not a fork).

``python -m parenting_assessment.report.worker JOB OUT`` reads a pickled job (ReportData,
language, formats, folder, run) and writes the pickled ``{(lang, format): path}``.

A plain subprocess rather than ``multiprocessing``: spawn/forkserver re-import the caller's
``__main__``, so a script without a ``__main__`` guard would run itself again in every worker.
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    from parenting_assessment.report.render import render_language

    job, out = Path(argv[0]), Path(argv[1])
    paths = render_language(*pickle.loads(job.read_bytes()))
    out.write_bytes(pickle.dumps(paths))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
