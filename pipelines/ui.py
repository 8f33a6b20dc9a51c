"""`make ui`: the Dagster UI (`dagster dev`) on 127.0.0.1, stopped by Ctrl-C or SIGTERM.

`dagster dev` stops on SIGINT and treats SIGTERM alike, but only when SIGINT is not
ignored: a process started in the background by a shell (`make ui &`, a service manager,
a test) inherits SIGINT ignored, and would then ignore both. The default handlers are put
back first. `dagster dev` is marked superseded by `dg dev` (the `dg` command-line tool,
not installed here); that warning is silenced.
"""

from __future__ import annotations

import argparse
import signal
import sys
import warnings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines.ui", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="3000")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    warnings.filterwarnings("ignore", message=r"Function `dev_command` is superseded")

    from dagster._cli import main as dagster_cli

    sys.argv = ["dagster", "dev", "-m", "pipelines.definitions",
                "-h", args.host, "-p", str(args.port)]
    return dagster_cli() or 0


if __name__ == "__main__":
    sys.exit(main())
