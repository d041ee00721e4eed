"""``python -m experiments.cli``: the ``techfin`` command line."""

import sys

from experiments.cli import main

sys.exit(main())
