"""How the dbt project looks in Dagster: each model in the group of its layer (the folder it
sits in), seeds in their own group, and every dbt test an asset check that says what it
checks ("unique on dim_leads: lead_id")."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator

# the first folder under models/ -> the layer's group; marts/reports is a group of its own
LAYER_GROUPS = {
    "staging": "staging",
    "intermediate": "intermediate",
    "state": "intermediate",  # the lead refresh's bookkeeping, between staging and marts
    "marts": "marts",
    "activation": "activation",
}
SUB_FOLDER_GROUPS = {("marts", "reports"): "reports"}
SEED_GROUP = "seeds"
MAX_DETAIL = 160


def layer_group(props: Mapping[str, Any]) -> str:
    """The group of a dbt model or seed, from its folder (fqn: project, folder..., name)."""
    if props["resource_type"] == "seed":
        return SEED_GROUP
    folders = list(props["fqn"][1:-1])
    if tuple(folders[:2]) in SUB_FOLDER_GROUPS:
        return SUB_FOLDER_GROUPS[tuple(folders[:2])]
    if folders and folders[0] in LAYER_GROUPS:
        return LAYER_GROUPS[folders[0]]
    raise ValueError(f"dbt node {props['unique_id']} is in no layer folder "
                     f"({', '.join(sorted(LAYER_GROUPS))}): add its folder to LAYER_GROUPS")


def _ref_name(text: str) -> str:
    """``ref('channels')`` -> ``channels``."""
    found = re.search(r"ref\(\s*['\"]([^'\"]+)['\"]", text)
    return found.group(1) if found else text


def _listed(values) -> str:
    return ", ".join(str(v) for v in values)


def _detail(kwargs: Mapping[str, Any]) -> str:
    """What a generic test's arguments say, in a short line."""
    column = kwargs.get("column_name")
    parts: list[str] = []
    if "values" in kwargs:
        values = kwargs["values"]
        if isinstance(values, Mapping):
            parts += [f"{col} in ({_listed(vals)})" for col, vals in values.items()]
        else:
            parts.append(f"{column} in ({_listed(values)})")
            column = None
    if "to" in kwargs:
        parts.append(f"{column} -> {_ref_name(kwargs['to'])}.{kwargs.get('field', column)}")
        column = None
    if "references" in kwargs:
        parts += [f"{col} -> {_ref_name(ref['to'])}.{ref.get('field', col)}"
                  for col, ref in kwargs["references"].items()]
    if "column_names" in kwargs:
        parts.append(_listed(kwargs["column_names"]))
    if "combination_of_columns" in kwargs:
        parts.append(f"({_listed(kwargs['combination_of_columns'])})")
    if "expression" in kwargs:
        parts.append(" ".join(kwargs["expression"].split()))
    if "expressions" in kwargs:
        parts.append(_listed(kwargs["expressions"]))
    known = {"model", "column_name", "values", "to", "field", "references", "column_names",
             "combination_of_columns", "expression", "expressions"}
    parts += [f"{k}={v}" for k, v in kwargs.items() if k not in known]
    if column:
        parts.insert(0, column)
    text = "; ".join(parts)
    return text if len(text) <= MAX_DETAIL else text[: MAX_DETAIL - 3] + "..."


def test_description(test: Mapping[str, Any], model_name: str) -> str:
    """The test's own description, else what it checks: ``<test> on <model>: <detail>``."""
    own = (test.get("description") or "").strip()
    if own:
        return own
    meta = test.get("test_metadata")
    if not meta:  # a singular test: a SQL file under tests/
        return f"{test['name']} on {model_name} ({test['original_file_path']})"
    detail = _detail(meta.get("kwargs") or {})
    return f"{meta['name']} on {model_name}" + (f": {detail}" if detail else "")


class LeadflowDbtTranslator(DagsterDbtTranslator):
    """Groups by layer; asset checks with descriptions."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] not in ("model", "seed", "snapshot"):
            return super().get_group_name(dbt_resource_props)  # a source: not an asset here
        return layer_group(dbt_resource_props)

    def get_asset_check_spec(self, asset_spec: dg.AssetSpec, manifest: Mapping[str, Any],
                             unique_id: str, project) -> dg.AssetCheckSpec | None:
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None or spec.description:
            return spec
        test = manifest["nodes"][unique_id]
        attached = test.get("attached_node")
        model = attached.split(".")[-1] if attached else asset_spec.key.path[-1]
        return spec._replace(description=test_description(test, model))
