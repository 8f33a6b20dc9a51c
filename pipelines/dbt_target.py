"""Where dbt keeps its files when it works on a warehouse: one folder per warehouse and
step, beside the warehouse (``data/warehouse.dbt/<step>/`` for ``data/warehouse.duckdb``),
kept from one run to the next.

dbt parses the whole project (about 20 s) unless its target folder holds the parse it saved
the last time (``partial_parse.msgpack``) for the same profile, and the profile names the
warehouse's path: a parse saved for one warehouse is of no use to another. In a folder of
its own, each of the daily run's dbt steps (and `leadflow forget`, `leadflow unload`) finds
its last parse and re-reads only the files that changed; a new step starts from the
newest parse of its warehouse's other steps. One folder per step, not per run: dbt's
compiled SQL, results and log of the step's last invocation, no folder piling up per run.
Only one process writes a warehouse at a time (the writer lock), so a step's folder has
one dbt at a time.

A warehouse with no parse of its own (a new one, or a data directory copied or moved
elsewhere) starts from a parse made for another path, re-stamped for its own: beside each
parse Leadflow keeps the warehouse path it was made for (``partial_parse.warehouse``), and
when dbt's profile for the two paths differs in the path alone (the same database name,
settings and everything else), the parse is valid for both (no model reads the path), so
only the profile's checksum in it is changed. dbt still checks everything else (the
project's files, vars, dbt's version) and parses again where anything differs."""

from __future__ import annotations

import contextvars
import os
import pprint
import shutil
from pathlib import Path

PARSE = "partial_parse.msgpack"
MADE_FOR = "partial_parse.warehouse"  # beside a parse: the warehouse path it was made for


def set_dbt_environment(warehouse: str | Path) -> None:
    """What profiles.yml reads, the same for every dbt invocation of this process: dbt
    starts its parsing over when the rendered profile (the warehouse path) changes."""
    os.environ["LEADFLOW_WAREHOUSE"] = str(Path(warehouse).resolve())
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")


def warehouse_dbt_dir(warehouse: str | Path) -> Path:
    """The folder of dbt's files about ``warehouse``: its path with ``.dbt`` for suffix."""
    return Path(warehouse).resolve().with_suffix(".dbt")


def step_target(warehouse: str | Path, step: str) -> Path:
    """dbt's target folder for ``step`` on ``warehouse``, holding a saved parse when the
    warehouse has one."""
    return with_saved_parse(warehouse_dbt_dir(warehouse) / step, warehouse)


def project_parse() -> Path:
    """The folder of the project's own parse (``dbt_project/target``, made by
    ``ensure_manifest``): where a warehouse with no parse of its own starts."""
    from pipelines.project import DBT_PROJECT_DIR

    return DBT_PROJECT_DIR / "target"


def with_saved_parse(target: Path, warehouse: str | Path,
                     fallback: Path | None = None) -> Path:
    """``target``, given the newest parse saved for ``warehouse`` when it holds none (or,
    failing one, the parse in the folder ``fallback``, by default the project's own),
    re-stamped for ``warehouse`` where it was made for another path. dbt checks the parse
    against the project and the profile itself (and parses everything again when they
    changed), so a stale copy costs nothing but the full parse."""
    warehouse = Path(warehouse).resolve()
    fallback = fallback or project_parse()
    target.mkdir(parents=True, exist_ok=True)
    if not (target / PARSE).exists():
        saved = [p for p in warehouse_dbt_dir(warehouse).glob(f"*/{PARSE}")
                 if p.parent != target]
        if not saved and (fallback / PARSE).exists():
            saved = [fallback / PARSE]
        if saved:
            newest = max(saved, key=lambda p: p.stat().st_mtime)
            _copy(newest.with_name(MADE_FOR), target / MADE_FOR, missing_ok=True)
            _copy(newest, target / PARSE)
    made_for = target / MADE_FOR
    if (target / PARSE).exists() and made_for.exists():
        was = Path(made_for.read_text())
        if was != warehouse:
            try:
                restamp(target / PARSE, was, warehouse)
            except Exception:  # noqa: BLE001 - not re-stamped costs dbt's full parse, no more
                pass
    made_for.write_text(str(warehouse))  # what dbt's next parse in this folder is made for
    return target


def _copy(source: Path, to: Path, missing_ok: bool = False) -> None:
    if missing_ok and not source.exists():
        to.unlink(missing_ok=True)
        return
    partial = to.with_name(f".{to.name}.copy")
    shutil.copyfile(source, partial)
    os.replace(partial, to)  # never half a file where dbt reads


def restamp(parse: Path, was: Path, warehouse: Path) -> bool:
    """Make the dbt parse ``parse``, made for the warehouse at ``was``, one for
    ``warehouse``: only when dbt's profile for the two differs in the path alone, and the
    parse holds the profile checksum of ``was`` (it was made for it, with this profile,
    settings and dbt). Whether it was re-stamped."""
    import msgpack

    old, new = profile_connection(was), profile_connection(warehouse)
    if {k: v for k, v in old if k != "path"} != {k: v for k, v in new if k != "path"}:
        return False
    manifest = msgpack.unpackb(parse.read_bytes(), raw=False, strict_map_key=False)
    stamp = manifest.get("state_check", {}).get("profile_hash", {})
    if stamp.get("checksum") != profile_checksum(old):
        return False
    stamp["checksum"] = profile_checksum(new)
    partial = parse.with_name(f".{parse.name}.restamp")
    partial.write_bytes(msgpack.packb(manifest, use_bin_type=True))
    os.replace(partial, parse)
    return True


def profile_connection(warehouse: Path) -> list[tuple]:
    """dbt's connection keys of the DuckDB target (``local``) for ``warehouse``, rendered
    from profiles.yml in this environment, as dbt lists them for its profile checksum."""
    from dbt.config.profile import Profile, read_profile
    from dbt.config.renderer import ProfileRenderer
    from dbt_common.context import set_invocation_context

    from pipelines.project import DBT_PROJECT_DIR

    def render() -> list[tuple]:
        # in a copy of this thread's context: dbt's invocation context is left as it was
        set_invocation_context({**os.environ, "LEADFLOW_WAREHOUSE": str(warehouse)})
        raw = read_profile(str(DBT_PROJECT_DIR))["leadflow"]
        target, data = Profile.render_profile(raw, "leadflow", "local", ProfileRenderer({}))
        data.pop("threads", None)
        credentials = Profile._credentials_from_profile(data, "leadflow", target)
        return sorted(credentials.connection_info())

    return contextvars.copy_context().run(render)


def profile_checksum(connection: list[tuple]) -> str:
    """The profile checksum dbt keeps in a parse (``ManifestLoader.build_manifest_state_check``)."""
    from dbt.contracts.files import FileHash

    return FileHash.from_contents(pprint.pformat(connection)).checksum
