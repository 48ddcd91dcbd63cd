"""The docs site builds strictly, its generated pages match the code, and it covers every page.

The generated references (docs/reference/*.md) are rewritten into a scratch folder by the
same script a contributor runs; a difference means the committed copy is stale.
"""

from __future__ import annotations

import difflib
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
REGENERATE = "python docs/gen_reference.py"


def load_generator():
    spec = importlib.util.spec_from_file_location("gen_reference", DOCS / "gen_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def mkdocs_config() -> dict:
    from mkdocs.config import load_config

    return load_config(str(REPO / "mkdocs.yml"))


def nav_pages(nav) -> list[str]:
    pages = []
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        pages += nav_pages(value) if isinstance(value, list) else [value]
    return pages


def test_generated_reference_pages_are_up_to_date(tmp_path):
    generator = load_generator()
    written = generator.write_pages(tmp_path)
    assert {p.name for p in written} == {"config-schema.md", "rest-api.md"}
    stale = []
    for fresh in written:
        committed = DOCS / "reference" / fresh.name
        old = committed.read_text(encoding="utf-8") if committed.exists() else ""
        new = fresh.read_text(encoding="utf-8")
        if old != new:
            diff = "".join(list(difflib.unified_diff(
                old.splitlines(True), new.splitlines(True), f"committed/{fresh.name}",
                f"generated/{fresh.name}", n=1))[:40])
            stale.append(f"docs/reference/{fresh.name}:\n{diff}")
    assert not stale, (f"generated docs are out of date; regenerate them with `{REGENERATE}`"
                       " and commit the result.\n" + "\n".join(stale))


def test_the_config_schema_names_every_option_setting_and_key():
    from salesforge.config import GROUP_KINDS, conf_dir
    from salesforge.plugin.manager import build_plugin_manager

    page = (DOCS / "reference" / "config-schema.md").read_text(encoding="utf-8")
    registry = build_plugin_manager().registry
    for group, kind in [("data.format", "loader"), *GROUP_KINDS.items()]:
        for name in registry.names(kind):
            assert f"### `{group}={name}`" in page, f"{group}={name} is not in the schema page"
            for setting in registry.get(kind, name).settings():
                assert f"| `{setting}` |" in page, f"{group}={name}: {setting} missing"
    import yaml

    config = yaml.safe_load((conf_dir() / "config.yaml").read_text(encoding="utf-8"))
    for node, values in config.items():
        if node not in ("defaults", "hydra"):
            for key in values or {}:
                assert f"`{node}.{key}" in page, f"config key {node}.{key} is not in the page"


def test_the_rest_api_reference_lists_every_operation(tmp_path):
    from salesforge.api.app import create_app
    from salesforge.api.settings import ApiSettings

    page = (DOCS / "reference" / "rest-api.md").read_text(encoding="utf-8")
    paths = create_app(ApiSettings(store=tmp_path / "store")).openapi()["paths"]
    for path, operations in paths.items():
        for method in operations:
            assert f"### {method.upper()} `{path}`" in page, f"{method.upper()} {path} missing"


def test_every_docs_page_is_in_the_nav_and_every_nav_page_exists():
    config = mkdocs_config()
    listed = nav_pages(config["nav"])
    missing = [p for p in listed if not (DOCS / p).is_file()]
    assert not missing, f"mkdocs.yml names pages that do not exist: {missing}"
    pages = sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md"))
    unlisted = [p for p in pages if p not in listed]
    assert not unlisted, f"docs pages missing from the nav in mkdocs.yml: {unlisted}"


def test_the_benchmarks_page_covers_every_benchmark_script():
    page = (DOCS / "benchmarks.md").read_text(encoding="utf-8")
    scripts = sorted(p.name for p in (REPO / "benchmarks").glob("*.py"))
    assert scripts
    missing = [s for s in scripts if f"benchmarks/{s}" not in page]
    assert not missing, f"docs/benchmarks.md does not describe {missing}"


def test_the_user_guide_covers_the_basics():
    guide = (DOCS / "user-guide.md").read_text(encoding="utf-8")
    headings = re.findall(r"^##+ (.+)$", guide, re.MULTILINE)
    for topic in ("Install", "First run", "Overrides", "Sweeps", "Tuning", "Reading the results"):
        assert topic in headings, f"the user guide has no '{topic}' section"


def test_mkdocs_builds_the_site_strictly(tmp_path):
    site = tmp_path / "site"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file",
         str(REPO / "mkdocs.yml"), "--site-dir", str(site)],
        cwd=REPO, capture_output=True, text=True, timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    warnings = [line for line in result.stderr.splitlines() if "WARNING" in line]
    assert result.returncode == 0, "mkdocs build --strict failed:\n" + "\n".join(
        warnings or result.stderr.splitlines()[-20:])
    for page in nav_pages(mkdocs_config()["nav"]):
        built = site / (page.removesuffix(".md").removesuffix("index") + "/index.html"
                        ).lstrip("/")
        assert built.is_file(), f"{page} was not built ({built})"
    assert not (site / "gen_reference.py").exists(), "the generator script leaks into the site"
