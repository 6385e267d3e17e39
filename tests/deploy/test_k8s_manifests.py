"""The Kubernetes manifests (deploy/k8s): each overlay builds with `kubectl kustomize`, every
object is valid against the Kubernetes API's schemas (offline, kubernetes-validate, strict: an
unknown field is an error), and the project's own rules hold: every role of every service its
own Deployment with probes, requests and limits, non-root on a read-only root filesystem, no
`latest` or untagged image, no secret inlined, timers that never overlap, a disruption budget for
every Deployment and an autoscaler for every web, and nothing reachable unless a policy says so."""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from devstack.stack import WORKERS
from shared.startup_secrets import REQUIRED_SECRETS

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
OPERATOR_API = "monitoring.coreos.com/"
METRIC_NAME = re.compile(r"\b([a-z_]+)(?=[{\s)\[]|$)")
PROMQL_WORDS = {"max", "min", "sum", "by", "rate", "offset", "and", "or", "unless", "without"}
# A metric's name is the first argument where it is declared, or a `count(...)` name.
DECLARED_METRIC = re.compile(
    r"(?:Counter|Histogram|GaugeMetricFamily|gauge_by|counter|count)\(\s*(?:current_app,\s*)?"
    r"\"([a-z_]+)\""
)
OVERLAYS = ("dev", "prod")
KUBERNETES_VERSION = "1.33.0"
SERVICES = ("applications", "vetting", "access", "notifications")
ROLES = ("web", "consume", "relay")


def roles(service: str) -> tuple[str, ...]:
    return ROLES + WORKERS.get(service, ())


SECRET_NAMES = {secret.variable for secret in REQUIRED_SECRETS} | {"MIGRATE_DATABASE_URL"}


@cache
def objects(overlay: str) -> tuple[dict[str, Any], ...]:
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl (with its built-in kustomize) is needed to build the manifests"
    built = subprocess.run(
        [kubectl, "kustomize", str(K8S / "overlays" / overlay)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return tuple(doc for doc in yaml.safe_load_all(built) if doc)


def of_kind(overlay: str, kind: str) -> list[dict[str, Any]]:
    return [obj for obj in objects(overlay) if obj["kind"] == kind]


def pod_spec(obj: dict[str, Any]) -> dict[str, Any]:
    if obj["kind"] == "CronJob":
        return obj["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return obj["spec"]["template"]["spec"]


def workloads(overlay: str) -> list[dict[str, Any]]:
    return [o for o in objects(overlay) if o["kind"] in ("Deployment", "Job", "CronJob")]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_is_valid_against_the_kubernetes_schemas(overlay):
    for obj in objects(overlay):
        if obj["apiVersion"].startswith(OPERATOR_API):
            continue  # the Prometheus Operator's resources: checked below
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)


def test_every_web_is_scraped_and_every_alert_watches_a_metric_the_services_expose():
    monitors = {m["metadata"]["name"]: m["spec"] for m in of_kind("prod", "ServiceMonitor")}
    assert set(monitors) == set(SERVICES)
    for service, spec in monitors.items():
        assert spec["selector"]["matchLabels"]["app.kubernetes.io/component"] == "web"
        (endpoint,) = spec["endpoints"]
        assert endpoint["path"] == "/metrics" and endpoint["port"] == "http"
        assert endpoint["authorization"]["credentials"] == {
            "name": f"{service}-secrets",
            "key": "METRICS_TOKEN",
        }
    exposed = _exposed_metric_names()
    (rules,) = of_kind("prod", "PrometheusRule")
    alerts = [rule for group in rules["spec"]["groups"] for rule in group["rules"]]
    assert len(alerts) >= 8
    for alert in alerts:
        bare = re.sub(r"by \([^)]*\)|\{[^}]*\}|\[[^]]*\]", " ", alert["expr"])  # labels out
        named = set(METRIC_NAME.findall(bare)) - PROMQL_WORDS
        assert named and named <= exposed, f"{alert['alert']}: {named - exposed}"
        assert alert["annotations"]["summary"] and alert["labels"]["severity"]


def _exposed_metric_names() -> set[str]:
    """The metric names the services' code declares (the first argument of a metric)."""
    sources = [ROOT / "shared" / "src", *(ROOT / "services").glob("*/src")]
    text = "".join(path.read_text() for src in sources for path in src.rglob("*.py"))
    return set(DECLARED_METRIC.findall(text))


def test_the_validator_would_notice_a_mistake():
    deployment = dict(of_kind("prod", "Deployment")[0])
    deployment["spec"] = {**deployment["spec"], "replica": 3}  # a typo of `replicas`
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_role_of_every_service_is_its_own_deployment(overlay):
    names = {d["metadata"]["name"] for d in of_kind(overlay, "Deployment")}
    assert {f"{service}-{role}" for service in SERVICES for role in roles(service)} <= names
    jobs = {j["metadata"]["name"] for j in of_kind(overlay, "Job")}
    assert jobs == {f"{service}-migrate" for service in SERVICES}
    crons = {c["metadata"]["name"] for c in of_kind(overlay, "CronJob")}
    sweeps = {"vetting-sweep", "access-sweep"}
    assert {f"{service}-retention" for service in SERVICES} | sweeps <= crons


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_process_runs_its_own_command(overlay):
    for deployment in of_kind(overlay, "Deployment"):
        name = deployment["metadata"]["name"]
        service, _, role = name.partition("-")
        if service in SERVICES:
            assert role in roles(service), name
            (container,) = pod_spec(deployment)["containers"]
            assert container["args"][:4] == ["python", "-m", service, role], name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_long_running_containers_have_probes_and_every_container_its_limits(overlay):
    for obj in workloads(overlay):
        for container in pod_spec(obj)["containers"]:
            where = f"{obj['kind']} {obj['metadata']['name']}/{container['name']}"
            if obj["kind"] == "Deployment":
                assert "livenessProbe" in container and "readinessProbe" in container, where
            resources = container["resources"]
            assert set(resources["requests"]) >= {"cpu", "memory"}, where
            assert set(resources["limits"]) >= {"cpu", "memory"}, where


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_web_probes_ask_liveness_and_readiness_and_workers_their_heartbeat(overlay):
    for deployment in of_kind(overlay, "Deployment"):
        name = deployment["metadata"]["name"]
        role = name.partition("-")[2]
        (container,) = pod_spec(deployment)["containers"]
        if role == "web":
            assert container["livenessProbe"]["httpGet"]["path"] == "/health/liveness"
            assert container["readinessProbe"]["httpGet"]["path"] == "/health/readiness"
        elif name != "redis":
            probe = " ".join(container["livenessProbe"]["exec"]["command"])
            assert f"/app/var/heartbeat/{role} -mmin" in probe, name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_non_root_read_only_and_no_latest_image(overlay):
    for obj in workloads(overlay):
        spec = pod_spec(obj)
        assert spec["securityContext"]["runAsNonRoot"] is True
        for container in spec["containers"]:
            where = f"{obj['metadata']['name']}/{container['name']}"
            image = container["image"]
            tag = image.rpartition(":")[2] if ":" in image.rpartition("/")[2] else ""
            assert tag and tag != "latest", f"{where}: {image}"
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True, where
            assert security["allowPrivilegeEscalation"] is False, where
            assert security["capabilities"]["drop"] == ["ALL"], where


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_secrets_are_referenced_never_inlined(overlay):
    assert not of_kind(overlay, "Secret")
    for config in of_kind(overlay, "ConfigMap"):
        assert not SECRET_NAMES & set(config.get("data", {})), config["metadata"]["name"]
    for obj in workloads(overlay):
        for container in pod_spec(obj)["containers"]:
            for variable in container.get("env", []):
                if variable["name"] in SECRET_NAMES:
                    assert "secretKeyRef" in variable.get("valueFrom", {}), variable


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_timers_never_overlap(overlay):
    for cron in of_kind(overlay, "CronJob"):
        assert cron["spec"]["concurrencyPolicy"] == "Forbid", cron["metadata"]["name"]
        args = pod_spec(cron)["containers"][0]["args"]
        assert "--every" not in args  # one-shot: the scheduler repeats it


def test_production_keeps_serving_through_a_node_loss():
    deployments = {d["metadata"]["name"]: d for d in of_kind("prod", "Deployment")}
    budgets = {p["metadata"]["name"] for p in of_kind("prod", "PodDisruptionBudget")}
    for service in SERVICES:
        for role in roles(service):
            name = f"{service}-{role}"
            assert deployments[name]["spec"]["replicas"] >= 2, name
            assert name in budgets, name
    autoscaled = {
        h["spec"]["scaleTargetRef"]["name"] for h in of_kind("prod", "HorizontalPodAutoscaler")
    }
    assert autoscaled == {f"{service}-web" for service in SERVICES}


def test_production_uses_quorum_queues_over_tls():
    for config in of_kind("prod", "ConfigMap"):
        if config["metadata"]["name"].endswith("-config"):
            assert config["data"]["BROKER_QUEUE_TYPE"] == "quorum"
            assert config["data"]["BROKER_CA_FILE"] == "/etc/broker-ca/ca.crt"
    for obj in workloads("prod"):
        if obj["metadata"]["name"].split("-")[0] in SERVICES:
            mounts = pod_spec(obj)["containers"][0]["volumeMounts"]
            assert {"name": "broker-ca", "mountPath": "/etc/broker-ca", "readOnly": True} in mounts


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_nothing_is_reachable_unless_a_policy_says_so(overlay):
    policies = {p["metadata"]["name"]: p["spec"] for p in of_kind(overlay, "NetworkPolicy")}
    deny = policies["default-deny"]
    assert deny["podSelector"] == {} and set(deny["policyTypes"]) == {"Ingress", "Egress"}
    assert "ingress" not in deny and "egress" not in deny
    for service in SERVICES:
        egress = policies[f"{service}-egress"]
        assert egress["podSelector"] == {"matchLabels": {"app.kubernetes.io/name": service}}
        databases = [rule for rule in egress["egress"] if rule["ports"][0]["port"] == 5432]
        assert len(databases) == 1 and len(databases[0]["to"]) == 1, service
    subnets = {
        policies[f"{s}-egress"]["egress"][0]["to"][0].get("ipBlock", {}).get("cidr")
        for s in SERVICES
    }
    if overlay == "prod":  # each service its own database, no two sharing a subnet
        assert len(subnets) == len(SERVICES)
