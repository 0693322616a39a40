"""The reminder calls' CronJob (deploy/k8s/base/reminders-cronjob.yaml), rendered by kustomize:
it runs `assistant reminders run` in the daytime, Moscow time, one run at a time, in a locked-down
pod with its own two secrets, and the command's settings loader accepts its environment."""

from __future__ import annotations

import os

import pytest

from tests.integration.deploy.test_k8s import (
    OVERLAYS,
    ROOT,
    Doc,
    job_containers,
    of_kind,
    rendered,  # noqa: F401  (the module's fixture)
)


def _job(docs: list[Doc]) -> Doc:
    jobs = of_kind(docs, "CronJob")
    assert set(jobs) == {"reminders"}
    return jobs["reminders"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_cronjob_calls_in_the_daytime_one_run_at_a_time(
        rendered: dict[str, list[Doc]], overlay: str) -> None:  # noqa: F811
    job = _job(rendered[overlay])["spec"]
    assert (job["timeZone"], job["concurrencyPolicy"]) == ("Europe/Moscow", "Forbid")
    hours = job["schedule"].split()[1]
    first, last = (int(h) for h in hours.split("-"))
    assert first >= 9 and last <= 19, "calls only between 09:00 and 20:00"
    pod = job["jobTemplate"]["spec"]["template"]["spec"]
    assert pod["restartPolicy"] == "Never" and pod["automountServiceAccountToken"] is False
    assert pod["securityContext"]["runAsNonRoot"] is True
    (_, container), = job_containers(rendered[overlay])
    assert container["command"][-2:] == ["reminders", "run"]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert {"cpu", "memory"} <= set(container["resources"]["limits"])
    refs = {v["name"]: v["valueFrom"]["secretKeyRef"]["key"] for v in container["env"]
            if "valueFrom" in v}
    assert refs == {"CITY_API_KEY": "CITY_API_KEY",
                    "ASSISTANT_REMINDERS__AMI_SECRET": "REMINDERS_AMI_SECRET"}


def test_the_command_accepts_the_cronjobs_environment(
        rendered: dict[str, list[Doc]], monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    from assistant.settings import load_settings

    (_, container), = job_containers(rendered["small"])
    for name in [n for n in os.environ if n.startswith(("ASSISTANT_", "CITY_"))]:
        monkeypatch.delenv(name)
    for var in container["env"]:
        value = var.get("value") or f"k8s-test-{var['name'].lower()}"
        monkeypatch.setenv(var["name"], value)
    monkeypatch.setenv("ASSISTANT_CONFIG", str(ROOT / "config.yml"))  # the ConfigMap's content
    settings = load_settings()
    assert settings.city.url == "http://cityservices:8000"
    assert settings.reminders.ami_secret == "k8s-test-assistant_reminders__ami_secret"
    assert settings.reminders.ami_host == "asterisk-ami"
