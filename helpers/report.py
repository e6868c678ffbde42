"""Command line of the results table.

``python -m helpers.report run --profile quick --out DIR``.

The code is in ``helpers.results`` (``run``, ``run_notebook``, ``markdown``;
its docstring says what the command does). Run this module with ``python -m``,
do not import it: importing ``helpers.report`` would rebind ``hp.report``, the
one-line environment report, to this module.
"""

import sys

from helpers.results import main

if __name__ == "__main__":
    sys.exit(main())
