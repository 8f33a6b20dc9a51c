"""`python -m pipelines.cli`: the same as the `leadflow` command."""

import sys

from pipelines.cli import main

sys.exit(main())
