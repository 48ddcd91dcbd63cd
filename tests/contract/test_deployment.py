"""The Docker files name only real things: paths, stages, commands, ports and health checks.

No image is built here (no Docker daemon in CI); instead the Dockerfile and
docker-compose.yml are parsed and every path they copy, command they run, port they
publish and URL they probe is checked against the checkout, the CLI, the API's route
table and the README. The slow test starts each service's exact command on a free port
and runs its exact health-check command against it.
"""

from __future__ import annotations

import inspect
import json
import re
import shlex
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from salesforge import __version__
from tests.conftest import free_port

REPO = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
#: What a service runs, by the Dockerfile target it builds.
SERVERS = {"app": "serve", "api": "api"}


# ---- the Dockerfile, parsed -------------------------------------------------------------

@dataclass
class Stage:
    name: str
    base: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def last(self, keyword: str) -> str | None:
        found = [args for kw, args in self.instructions if kw == keyword]
        return found[-1] if found else None


def parse_dockerfile(path: Path) -> tuple[dict[str, str], list[Stage]]:
    """Global ARG defaults and the stages, with continuation lines joined."""
    lines, current = [], ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        stripped = raw.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):  # a comment inside a continued instruction
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        lines.append(current + stripped)
        current = ""
    args: dict[str, str] = {}
    stages: list[Stage] = []
    for line in lines:
        keyword, _, rest = line.partition(" ")
        keyword, rest = keyword.upper(), rest.strip()
        if keyword == "FROM":
            match = re.fullmatch(r"(?:--\S+\s+)*(\S+)\s+AS\s+(\S+)", rest, re.IGNORECASE)
            assert match, f"every FROM names its stage (FROM <image> AS <name>): {line}"
            stages.append(Stage(match.group(2), match.group(1)))
        elif keyword == "ARG" and not stages:
            name, _, default = rest.partition("=")
            args[name] = default
        else:
            assert stages, f"instruction before the first FROM: {line}"
            stages[-1].instructions.append((keyword, rest))
    return args, stages


def resolve(text: str, values: dict[str, str]) -> str:
    """``${NAME:-default}`` / ``${NAME}`` as Docker resolves them with nothing set."""
    return re.sub(r"\$\{(\w+)(?::?-([^}]*))?\}",
                  lambda m: values.get(m.group(1), m.group(2) or ""), text)


ARGS, STAGES = parse_dockerfile(REPO / "Dockerfile")
STAGE = {stage.name: stage for stage in STAGES}


def chain(name: str) -> list[Stage]:
    """The stage and the stages it is built FROM, nearest first."""
    stages = [STAGE[name]]
    while stages[-1].base in STAGE:
        stages.append(STAGE[stages[-1].base])
    return stages


def inherited(name: str, keyword: str) -> str | None:
    return next((v for s in chain(name) if (v := s.last(keyword)) is not None), None)


def exec_form(args: str) -> list[str]:
    assert args.startswith("["), f"use the exec (JSON) form: {args}"
    return json.loads(args)


def healthcheck(name: str) -> list[str]:
    """The target's HEALTHCHECK command as an exec list (``["CMD", ...]``)."""
    args = inherited(name, "HEALTHCHECK")
    assert args, f"stage {name} has no HEALTHCHECK"
    _options, _, command = args.partition("CMD ")
    return ["CMD", *exec_form(command.strip())]


# ---- .dockerignore, matched as Docker matches it -----------------------------------------

def ignore_rules() -> list[tuple[bool, re.Pattern[str]]]:
    rules = []
    for line in (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pattern = line.lstrip("!").strip("/")
        regex, i = "", 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                regex, i = regex + "(?:.*/)?", i + 3
            elif pattern.startswith("**", i):
                regex, i = regex + ".*", i + 2
            elif pattern[i] == "*":
                regex, i = regex + "[^/]*", i + 1
            elif pattern[i] == "?":
                regex, i = regex + "[^/]", i + 1
            elif pattern[i] == "[":
                end = pattern.index("]", i)
                regex, i = regex + pattern[i:end + 1], end + 1
            else:
                regex, i = regex + re.escape(pattern[i]), i + 1
        rules.append((negate, re.compile(regex + r"\Z")))
    return rules


RULES = ignore_rules()


def ignored(path: str) -> bool:
    """Whether ``path`` (relative to the build context) is left out of the context: the
    last rule matching it or one of its parent folders decides."""
    parts = path.strip("/").split("/")
    prefixes = ["/".join(parts[:k]) for k in range(1, len(parts) + 1)]
    result = False
    for negate, regex in RULES:
        if any(regex.match(p) for p in prefixes):
            result = not negate
    return result


def tracked_files() -> list[str]:
    try:
        out = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True,
                             check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout (e.g. inside the dev image): no tracked-file list")
    return out.splitlines()


# ---- compose helpers ---------------------------------------------------------------------

def published(service: str) -> list[tuple[int, int]]:
    """(host port with defaults, container port) pairs of a service."""
    pairs = []
    for spec in SERVICES[service].get("ports", []):
        host, _, container = resolve(str(spec), {}).rpartition(":")
        pairs.append((int(host), int(container)))
    return pairs


def url_of(command: list[str]) -> str:
    urls = re.findall(r"https?://[^'\"\s]+", " ".join(command))
    assert len(urls) == 1, f"one URL per health check: {command}"
    return urls[0]


def port_of(url: str) -> int:
    return int(re.search(r":(\d+)/", url).group(1))


def served_arguments(command: list[str], monkeypatch) -> dict:
    """Run ``command`` through the real CLI with the server function replaced by a probe;
    returns the arguments the server would have been started with."""
    import salesforge.api.server
    import salesforge.app.main
    from salesforge.cli import main

    seen: dict = {}

    def probe(kind: str, real):
        def serve(*args, **kwargs):  # the real signature's arguments, defaults applied
            bound = inspect.signature(real).bind(*args, **kwargs)
            bound.apply_defaults()
            seen.update(kind=kind, **{k: v for k, v in bound.arguments.items()})
        return serve

    monkeypatch.setattr(salesforge.app.main, "serve", probe("serve", salesforge.app.main.serve))
    monkeypatch.setattr(salesforge.api.server, "serve",
                        probe("api", salesforge.api.server.serve))
    assert command[0] == "salesforge", f"services run the salesforge console script: {command}"
    assert main(command[1:]) == 0, f"{command} is not a valid salesforge command"
    return seen


# ---- tests -------------------------------------------------------------------------------

def test_the_dockerfile_has_app_api_and_dev_targets_on_python_311_slim():
    assert {"builder", "app", "api", "dev"} <= set(STAGE)
    bases = {resolve(s.base, ARGS) for s in STAGES if s.base not in STAGE}
    assert bases == {"python:3.11-slim"}
    for stage in STAGES:  # stage references point back, never forward
        earlier = {s.name for s in STAGES[:STAGES.index(stage)]}
        for _, args in stage.instructions:
            for ref in re.findall(r"(?:--from|from)=(\w[\w.-]*)", args):
                assert ref in earlier, f"stage {stage.name} uses {ref!r} before it is built"


def test_every_compose_build_names_an_existing_context_dockerfile_and_target():
    for name, service in SERVICES.items():
        build = service["build"]
        context = (REPO / build["context"]).resolve()
        assert context == REPO, f"service {name} builds from {context}, not the repository"
        assert (context / build.get("dockerfile", "Dockerfile")).is_file()
        assert build["target"] in STAGE, f"service {name}: no stage {build['target']!r}"
        assert service["image"] == f"salesforge-{build['target']}:{__version__}", \
            f"service {name}: tag the image with the package version"
    assert {s["build"]["target"] for s in SERVICES.values()} == {"app", "api"}


def test_every_copy_source_exists_and_is_inside_the_build_context():
    tracked = tracked_files()
    for stage in STAGES:
        for keyword, args in stage.instructions:
            if keyword not in ("COPY", "ADD") or "--from" in args:
                continue
            *sources, _dest = [a for a in shlex.split(args) if not a.startswith("--")]
            for source in sources:
                path = (REPO / source).resolve()
                assert path.exists(), f"{stage.name}: COPY source {source} does not exist"
                rel = path.relative_to(REPO).as_posix()
                if rel != ".":
                    assert not ignored(rel), f"{stage.name}: {source} is in .dockerignore"
                inside = [f for f in tracked if rel == "." or f == rel
                          or f.startswith(rel + "/")]
                lost = [f for f in inside if ignored(f) and not f.startswith((".ci/", ".git"))]
                assert not lost, f"{stage.name}: COPY {source} loses tracked files: {lost[:5]}"


def test_the_image_ships_every_first_party_plugin():
    projects = {p.parent: tomllib.loads(p.read_text(encoding="utf-8"))["project"]
                for p in (REPO / "plugins").glob("*/pyproject.toml")}
    plugins = {folder.name: project["name"] for folder, project in projects.items()}
    unbuildable = [f"{folder.name}/{project['readme']}" for folder, project in projects.items()
                   if isinstance(project.get("readme"), str)
                   and not (folder / project["readme"]).is_file()]
    assert not unbuildable, f"pip wheel needs the readme its pyproject names: {unbuildable}"
    builder = " ".join(args for kw, args in STAGE["builder"].instructions if kw == "RUN")
    built = set(re.findall(r"plugins/([\w-]+)", builder))
    assert built <= set(plugins), f"the builder names plugins that do not exist: {built}"
    assert built == set(plugins), f"plugins/ not built into the image: {set(plugins) - built}"
    for target in ("runtime", "dev"):
        installed = " ".join(a for s in chain(target) for kw, a in s.instructions if kw == "RUN")
        missing = [d for d in plugins.values() if not re.search(rf"\b{d}\b", installed)]
        assert not missing, f"stage {target} does not install {missing}"


def test_dockerignore_leaves_out_environments_results_caches_and_builds():
    for path in (".venv/bin/python", "outputs/2026-01-01/10-00-00/manifest.json",
                 "multirun/2026-01-01/0/manifest.json", ".git/HEAD", "build/lib/x.py",
                 "dist/salesforge-0.1.0-py3-none-any.whl", "salesforge.egg-info/PKG-INFO",
                 "plugins/salesforge-pyod/salesforge_pyod.egg-info/PKG-INFO",
                 "salesforge/__pycache__/cli.cpython-311.pyc", ".pytest_cache/README.md",
                 ".ruff_cache/x", ".salesforge-api/index.json"):
        assert ignored(path), f".dockerignore lets {path} into the build context"
    for path in ("salesforge/conf/config.yaml", "salesforge/api/routes_runs.py",
                 "plugins/salesforge-xgboost/pyproject.toml", "tests/conftest.py",
                 "README.md", "pyproject.toml"):
        assert not ignored(path), f".dockerignore leaves out {path}"


@pytest.mark.parametrize("service", ["app", "api"])
def test_each_service_runs_a_real_command_on_the_port_it_publishes(service, monkeypatch):
    spec = SERVICES[service]
    target = spec["build"]["target"]
    command = [str(c) for c in spec["command"]]
    assert command == exec_form(inherited(target, "CMD")), "compose and Dockerfile disagree"
    seen = served_arguments(command, monkeypatch)
    assert seen["kind"] == SERVERS[target]
    host = seen["address"] if service == "app" else seen["host"]
    assert host == "0.0.0.0", "a server in a container must listen on every interface"
    (_host_port, container_port), = published(service)
    exposed = {int(p) for p in (inherited(target, "EXPOSE") or "").split()}
    assert seen["port"] == container_port and exposed == {container_port}
    mounts = [str(v).split(":")[1] for v in spec["volumes"]]
    folder = str(seen["runs"] if service == "app" else seen["store"])
    assert any(folder == m or folder.startswith(m + "/") for m in mounts), \
        f"{service} keeps its data outside the shared volume: {folder}"
    assert set(COMPOSE["volumes"]) >= {str(v).split(":")[0] for v in spec["volumes"]}


def test_both_services_share_one_named_runs_volume():
    sources = {str(v).split(":")[0] for s in SERVICES.values() for v in s["volumes"]}
    assert len(sources) == 1 and sources <= set(COMPOSE["volumes"])
    app_runs = SERVICES["app"]["command"][SERVICES["app"]["command"].index("--runs") + 1]
    api_store = SERVICES["api"]["command"][SERVICES["api"]["command"].index("--store") + 1]
    assert api_store.startswith(app_runs + "/"), "the app should see the API's runs"


def test_the_dev_target_runs_the_readme_test_command():
    command = exec_form(inherited("dev", "CMD"))
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    test_line = next(line for line in readme.splitlines() if "pytest" in line and "pip" in line)
    assert test_line.endswith(" ".join(command[1:])), (command, test_line)
    assert "salesforge[test]" in " ".join(a for kw, a in STAGE["dev"].instructions if kw == "RUN")


@pytest.mark.parametrize("service", ["app", "api"])
def test_health_checks_agree_and_probe_the_served_port(service):
    target = SERVICES[service]["build"]["target"]
    probe = [str(c) for c in SERVICES[service]["healthcheck"]["test"]]
    assert probe == healthcheck(target), "compose and Dockerfile health checks disagree"
    (_, container_port), = published(service)
    assert port_of(url_of(probe)) == container_port
    assert probe[1] == "python", "python:3.11-slim has no curl; probe with python"


def test_the_api_health_check_is_a_route_of_the_api(tmp_path):
    from fastapi.testclient import TestClient

    from salesforge.api.app import create_app
    from salesforge.api.settings import ApiSettings

    path = "/" + url_of(SERVICES["api"]["healthcheck"]["test"]).split("/", 3)[3]
    app = create_app(ApiSettings(store=tmp_path / "store"))
    assert "get" in app.openapi()["paths"].get(path, {}), f"the API has no GET {path}"
    with TestClient(app) as client:
        response = client.get(path)
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_container_environment_variables_are_read_by_something():
    import bokeh.settings

    sources = "\n".join(p.read_text(encoding="utf-8")
                        for p in (REPO / "salesforge").rglob("*.py"))
    bokeh = Path(bokeh.settings.__file__).read_text(encoding="utf-8")
    names = {n for s in SERVICES.values() for n in s.get("environment", {}) if n != "<<"}
    names |= {n for stage in STAGES for kw, args in stage.instructions if kw == "ENV"
              for n in re.findall(r"(\w+)=", args)}
    unread = [n for n in sorted(names) if (n.startswith("SALESFORGE_") and n not in sources)
              or (n.startswith("BOKEH_") and n not in bokeh)]
    assert not unread, f"environment variables nothing reads: {unread}"


@pytest.mark.parametrize("doc", ["README.md", "docs/deployment.md"])
def test_the_docs_give_the_same_commands_and_ports(doc):
    text = " ".join((REPO / doc).read_text(encoding="utf-8").split())
    assert "docker compose up" in text
    for name, spec in SERVICES.items():
        command = " ".join(str(c) for c in spec["command"])
        assert command in text, f"{doc} does not show the {name} command: {command}"
        (host_port, _), = published(name)
        assert f"localhost:{host_port}" in text, f"{doc} does not name port {host_port}"
    app_url = url_of(SERVICES["app"]["healthcheck"]["test"])
    assert f"localhost:{published('app')[0][0]}/{app_url.split('/', 3)[3]}" in text


@pytest.mark.slow
@pytest.mark.parametrize("service", ["app", "api"])
def test_the_health_check_passes_against_the_real_server(service, tmp_path):
    """The service's own command (its folder and port swapped for scratch ones) serves,
    and its own health-check command, pointed at that port, exits 0."""
    spec = SERVICES[service]
    (_, port), new = published(service)[0], free_port()
    mount = str(spec["volumes"][0]).split(":")[1]
    command = [str(tmp_path / "runs") + c[len(mount):] if c.startswith(mount) else
               str(new) if c == str(port) else c for c in map(str, spec["command"])]
    probe = [c.replace(f":{port}/", f":{new}/") for c in spec["healthcheck"]["test"][1:]]
    probe[0] = sys.executable
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "salesforge.cli", *command[1:]],
                              stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 90
        while True:
            check = subprocess.run(probe, capture_output=True, text=True, timeout=30)
            if check.returncode == 0:
                break
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"health check never passed: {check.stderr[-500:]}\n"
                            + (tmp_path / "server.log").read_text())
            time.sleep(1)
    finally:
        server.terminate()
        server.wait(20)
        log.close()
