"""Which Dagster Pipes client launches the Spark process (CARBON_PIPES_CLIENT), and the S3 hand-over a
process on another machine needs (CARBON_PIPES_S3_PREFIX): docs/deployment.md, section 3.

Everything is read from environment variables when the engine is made, so a missing setting fails the
asset before anything is exported, with a message naming the variable. The clients are dagster-aws's
(``PipesEMRServerlessClient``, ``PipesEMRClient``) or dagster-databricks's (``PipesDatabricksClient``, an
optional package), plus ``PipesEMRStepsClient`` below for a running EMR cluster, which dagster-aws does
not offer. With an S3 prefix the Pipes context and messages travel through the same bucket
(``PipesS3ContextInjector`` / ``PipesS3MessageReader``) as the Parquet files, so nothing depends on the
cluster's CloudWatch or DBFS being readable from the Dagster host. Only names and locations are logged:
the run parameters carry no secret (credentials come from the boto3 default chain on both sides).
"""

from __future__ import annotations

import copy
import os
import shlex
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import dagster as dg
from dagster_aws.pipes import PipesS3ContextInjector, PipesS3MessageReader

from carbon_pipeline.engines.pipes_handover import PipesConfigError, S3Location, parse_s3_uri, s3_client

ENTRY_MODULE = "carbon_pipeline.engines.pipes_process"
CLIENTS = ("subprocess", "emr-serverless", "emr", "databricks")
REMOTE_CLIENTS = CLIENTS[1:]
S3_IO = ("boto3", "spark")
MESSAGE_INTERVAL_SECONDS = 1.0  # how often the S3 message reader polls; the default 10 s adds 10 s to every asset


@dataclass(frozen=True)
class PipesSettings:
    """The Pipes part of a deployment's configuration, validated."""

    client: str = "subprocess"
    s3: S3Location | None = None
    s3_io: str = "boto3"  # who moves the Parquet between S3 and Spark: boto3 copies, or Spark reads s3:// itself
    entry_point: str | None = None
    variables: Mapping[str, str] = field(default_factory=dict)  # the CARBON_* variables this was read from

    @property
    def remote(self) -> bool:
        return self.client in REMOTE_CLIENTS

    def get(self, name: str, default: str | None = None) -> str | None:
        value = self.variables.get(name, "").strip()
        return value or default

    def require(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise PipesConfigError(f"CARBON_PIPES_CLIENT={self.client} needs {name} (docs/deployment.md, section 3)")
        return value


def pipes_settings(env: Mapping[str, str] | None = None) -> PipesSettings:
    """Read and check the Pipes settings; every setting the chosen client needs must be present."""
    env = os.environ if env is None else env
    variables = {k: v for k, v in env.items() if k.startswith(("CARBON_PIPES_", "CARBON_EMR_", "CARBON_DATABRICKS_"))}
    client = (variables.get("CARBON_PIPES_CLIENT") or "subprocess").strip().lower()
    if client not in CLIENTS:
        raise PipesConfigError(f"CARBON_PIPES_CLIENT={client!r} is not a Pipes client: one of {', '.join(CLIENTS)}")
    prefix = (variables.get("CARBON_PIPES_S3_PREFIX") or "").strip()
    s3 = parse_s3_uri(prefix, "CARBON_PIPES_S3_PREFIX") if prefix else None
    if client in REMOTE_CLIENTS and s3 is None:
        raise PipesConfigError(
            f"CARBON_PIPES_CLIENT={client} needs CARBON_PIPES_S3_PREFIX (s3://bucket/prefix): a cluster cannot "
            "see this host's temporary folder"
        )
    s3_io = (variables.get("CARBON_PIPES_S3_IO") or ("spark" if client in REMOTE_CLIENTS else "boto3")).strip().lower()
    if s3_io not in S3_IO:
        raise PipesConfigError(f"CARBON_PIPES_S3_IO={s3_io!r} is not one of {', '.join(S3_IO)}")
    settings = PipesSettings(
        client=client,
        s3=s3,
        s3_io=s3_io,
        entry_point=(variables.get("CARBON_PIPES_ENTRY_POINT") or "").strip() or None,
        variables=variables,
    )
    if settings.remote:
        entry = settings.require("CARBON_PIPES_ENTRY_POINT")
        if client != "databricks":
            parse_s3_uri(entry, "CARBON_PIPES_ENTRY_POINT")
    if client == "emr-serverless":
        settings.require("CARBON_EMR_SERVERLESS_APPLICATION_ID")
        settings.require("CARBON_EMR_EXECUTION_ROLE_ARN")
    if client == "databricks":
        _databricks_modules()
        if not settings.get("CARBON_DATABRICKS_CLUSTER_ID"):
            for name in ("CARBON_DATABRICKS_SPARK_VERSION", "CARBON_DATABRICKS_NODE_TYPE"):
                if not settings.get(name):
                    raise PipesConfigError(
                        f"CARBON_PIPES_CLIENT=databricks needs CARBON_DATABRICKS_CLUSTER_ID (a running cluster) "
                        f"or {name} (a new cluster per run)"
                    )
    return settings


def _aws_client(service: str, settings: PipesSettings) -> Any:
    import boto3

    return boto3.client(service, region_name=settings.get("CARBON_PIPES_REGION"))


class PrefixedS3MessageReader(PipesS3MessageReader):
    """PipesS3MessageReader whose message chunks go under a prefix of ours (dagster-aws puts them under a
    random top-level key), so a run's messages sit beside its hand-over files and one lifecycle rule or
    policy covers all of them."""

    def __init__(self, *, key_prefix: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.key_prefix = key_prefix.strip("/")

    @contextmanager
    def get_params(self) -> Iterator[dict[str, Any]]:
        with super().get_params() as params:
            yield {**params, "key_prefix": f"{self.key_prefix}/{params['key_prefix']}"}

    def download_messages(self, cursor: int | None, params: dict[str, Any]) -> tuple[int, str] | None:
        """Every chunk written so far, not one per poll. Dagster's blob-store reader takes one chunk per
        poll (a poll every ``interval``, at least a second) and stops polling 10 s after the session closes
        unless it has seen the ``closed`` message; on a loaded host, where each poll is slow, the chunks
        still waiting then (the outputs report, ``closed``) were dropped and the asset failed. Draining
        makes what is read depend on what was written, not on how fast the host polls."""
        chunks = []
        while (chunk := self.download_messages_chunk(self.counter, params)) is not None:
            chunks.append(chunk)
            self.counter += 1
        return (self.counter, "\n".join(chunks)) if chunks else None


class PipesEMRStepsClient(dg.PipesClient):
    """Runs the Spark entry point as a step on a running EMR cluster (``add_job_flow_steps``), for
    deployments that keep a cluster up rather than start one per asset (dagster-aws's PipesEMRClient does
    only the latter). The Pipes bootstrap parameters follow the entry point as ``--dagster-pipes-*``
    arguments, read by ``PipesCliArgsParamsLoader`` in the process, so no cluster configuration changes."""

    def __init__(
        self,
        client: Any,
        context_injector: dg.PipesContextInjector,
        message_reader: dg.PipesMessageReader,
        poll_seconds: float = 15,
        timeout_minutes: float = 24 * 60,
    ) -> None:
        self.client = client
        self.context_injector = context_injector
        self.message_reader = message_reader
        self.poll_seconds = poll_seconds
        self.timeout_minutes = timeout_minutes

    @classmethod
    def _is_dagster_maintained(cls) -> bool:
        return False

    @staticmethod
    def step_arguments(step: Mapping[str, Any], bootstrap: Mapping[str, str]) -> dict[str, Any]:
        """``step`` with the Pipes CLI arguments appended to its command."""
        step = copy.deepcopy(dict(step))
        args = list(step["HadoopJarStep"]["Args"])
        for name, value in bootstrap.items():
            args += [name, value]
        step["HadoopJarStep"]["Args"] = args
        return step

    def _cancel(self, context: Any, cluster_id: str, step_id: str) -> None:
        try:
            self.client.cancel_steps(ClusterId=cluster_id, StepIds=[step_id])
        except Exception as exc:  # the step's own failure is the error to report, not the cancel's
            context.log.warning(f"[pipes] could not cancel EMR step {step_id} on {cluster_id}: {type(exc).__name__}")

    def run(  # type: ignore[override]
        self,
        *,
        context: dg.AssetExecutionContext | dg.OpExecutionContext,
        cluster_id: str,
        step: Mapping[str, Any],
        extras: dict[str, Any] | None = None,
    ) -> dg.PipesClientCompletedInvocation:
        from botocore.exceptions import WaiterError

        with dg.open_pipes_session(
            context=context, context_injector=self.context_injector, message_reader=self.message_reader, extras=extras
        ) as session:
            submitted = self.step_arguments(step, session.get_bootstrap_cli_arguments())
            step_id = self.client.add_job_flow_steps(JobFlowId=cluster_id, Steps=[submitted])["StepIds"][0]
            context.log.info(f"[pipes] EMR step {step_id} added to cluster {cluster_id}")
            attempts = max(1, round(self.timeout_minutes * 60 / self.poll_seconds))
            try:
                self.client.get_waiter("step_complete").wait(
                    ClusterId=cluster_id,
                    StepId=step_id,
                    WaiterConfig={"Delay": self.poll_seconds, "MaxAttempts": attempts},
                )
            except dg.DagsterExecutionInterruptedError:
                context.log.warning(f"[pipes] interrupted: cancelling EMR step {step_id}")
                self._cancel(context, cluster_id, step_id)
                raise
            except WaiterError as exc:
                status = self.client.describe_step(ClusterId=cluster_id, StepId=step_id)["Step"]["Status"]
                state = status.get("State")
                if state in ("PENDING", "RUNNING", "CANCEL_PENDING"):
                    self._cancel(context, cluster_id, step_id)
                    raise RuntimeError(
                        f"EMR step {step_id} on cluster {cluster_id} still {state} after {self.timeout_minutes} "
                        "minute(s) (CARBON_EMR_STEP_TIMEOUT_MINUTES): cancelled"
                    ) from exc
                raise RuntimeError(
                    f"EMR step {step_id} on cluster {cluster_id} ended {state}: "
                    f"{status.get('FailureDetails', {}).get('Message', '')}"
                ) from exc
            return dg.PipesClientCompletedInvocation(session)


@dataclass
class PipesLaunch:
    """A Pipes client and the arguments its ``run`` takes besides the context and extras: what would be
    submitted, inspectable without submitting it."""

    client_name: str
    client: Any
    run_kwargs: dict[str, Any]

    def run(self, context: Any, extras: dict[str, Any]) -> dg.PipesClientCompletedInvocation:
        # dagster-aws clients add their tags and env to the params in place: each run gets its own copy
        return self.client.run(context=context, extras=extras, **copy.deepcopy(self.run_kwargs))


def _spark_submit_parameters(settings: PipesSettings) -> list[str]:
    return shlex.split(settings.get("CARBON_EMR_SPARK_SUBMIT_PARAMETERS", "") or "")


def pipes_launch(
    settings: PipesSettings,
    *,
    key_prefix: str | None = None,
    name: str = "carbon-pipeline-spark",
    s3: Any = None,
    aws_client: Any = None,
    subprocess_command: list[str] | None = None,
) -> PipesLaunch:
    """The client ``settings`` name, wired to the S3 hand-over under ``key_prefix`` (inside the settings'
    prefix), with its run parameters. ``s3`` / ``aws_client`` replace the boto3 clients made from the
    default chain (tests point them at a moto server)."""
    injector: dg.PipesContextInjector | None = None
    reader: dg.PipesMessageReader | None = None
    if settings.s3 is not None:
        s3 = s3 or s3_client(settings.get("CARBON_PIPES_REGION"))
        where = settings.s3.child(key_prefix or "")
        injector = PipesS3ContextInjector(bucket=where.bucket, client=s3, key_prefix=where.key("context") + "/")
        reader = PrefixedS3MessageReader(
            bucket=where.bucket, client=s3, key_prefix=where.key("messages"), interval=MESSAGE_INTERVAL_SECONDS
        )
    if settings.client == "subprocess":
        client = dg.PipesSubprocessClient(context_injector=injector, message_reader=reader)
        command = subprocess_command or [sys.executable, "-m", ENTRY_MODULE]
        return PipesLaunch("subprocess", client, {"command": command})

    entry = settings.require("CARBON_PIPES_ENTRY_POINT")
    assert settings.s3 is not None  # pipes_settings requires it for every remote client
    if settings.client == "emr-serverless":
        from dagster_aws.pipes import PipesEMRServerlessClient

        params: dict[str, Any] = {
            "applicationId": settings.require("CARBON_EMR_SERVERLESS_APPLICATION_ID"),
            "executionRoleArn": settings.require("CARBON_EMR_EXECUTION_ROLE_ARN"),
            "name": name,
            "jobDriver": {
                "sparkSubmit": {
                    "entryPoint": entry,
                    "sparkSubmitParameters": settings.get("CARBON_EMR_SPARK_SUBMIT_PARAMETERS", "") or "",
                }
            },
            "configurationOverrides": {
                "monitoringConfiguration": {
                    "s3MonitoringConfiguration": {
                        "logUri": settings.get("CARBON_EMR_LOG_URI") or settings.s3.uri("emr-logs") + "/"
                    }
                }
            },
        }
        timeout = settings.get("CARBON_EMR_TIMEOUT_MINUTES")
        if timeout:
            params["executionTimeoutMinutes"] = int(timeout)
        client = PipesEMRServerlessClient(
            client=aws_client or _aws_client("emr-serverless", settings),
            context_injector=injector,
            message_reader=reader,
            poll_interval=float(settings.get("CARBON_EMR_POLL_SECONDS", "15") or 15),
        )
        return PipesLaunch("emr-serverless", client, {"start_job_run_params": params})

    if settings.client == "emr":
        step = {
            "Name": name,
            "ActionOnFailure": "CONTINUE",
            "HadoopJarStep": {
                "Jar": "command-runner.jar",
                "Args": ["spark-submit", "--deploy-mode", "cluster", *_spark_submit_parameters(settings), entry],
            },
        }
        emr = aws_client or _aws_client("emr", settings)
        cluster_id = settings.get("CARBON_EMR_CLUSTER_ID")
        if cluster_id:
            assert injector is not None and reader is not None
            client = PipesEMRStepsClient(
                emr,
                injector,
                reader,
                poll_seconds=float(settings.get("CARBON_EMR_POLL_SECONDS", "15") or 15),
                timeout_minutes=float(settings.get("CARBON_EMR_STEP_TIMEOUT_MINUTES", "1440") or 1440),
            )
            return PipesLaunch("emr", client, {"cluster_id": cluster_id, "step": step})
        from dagster_aws.pipes import PipesEMRClient

        workers = int(settings.get("CARBON_EMR_INSTANCE_COUNT", "3") or 3)
        instance_type = settings.get("CARBON_EMR_INSTANCE_TYPE", "m5.xlarge")
        run_job_flow = {
            "Name": name,
            "ReleaseLabel": settings.get("CARBON_EMR_RELEASE_LABEL", "emr-7.5.0"),
            "Applications": [{"Name": "Spark"}],
            "LogUri": settings.get("CARBON_EMR_LOG_URI") or settings.s3.uri("emr-logs") + "/",
            "Instances": {
                "InstanceGroups": [
                    {"InstanceRole": "MASTER", "InstanceType": instance_type, "InstanceCount": 1},
                    {"InstanceRole": "CORE", "InstanceType": instance_type, "InstanceCount": max(workers - 1, 1)},
                ],
                "KeepJobFlowAliveWhenNoSteps": False,  # the cluster ends with the step: PipesEMRClient waits for it
            },
            "Steps": [{**step, "ActionOnFailure": "TERMINATE_CLUSTER"}],
            "JobFlowRole": settings.get("CARBON_EMR_JOB_FLOW_ROLE", "EMR_EC2_DefaultRole"),
            "ServiceRole": settings.get("CARBON_EMR_SERVICE_ROLE", "EMR_DefaultRole"),
            "VisibleToAllUsers": True,
        }
        subnet = settings.get("CARBON_EMR_SUBNET_ID")
        if subnet:
            run_job_flow["Instances"]["Ec2SubnetId"] = subnet
        client = PipesEMRClient(message_reader=reader, client=emr, context_injector=injector)
        return PipesLaunch("emr", client, {"run_job_flow_params": run_job_flow})

    # databricks: dagster-databricks is optional and not a dependency of this project
    PipesDatabricksClient, WorkspaceClient, jobs = _databricks_modules()
    task: dict[str, Any] = {
        "task_key": name,
        "spark_python_task": {"python_file": entry},
        "libraries": [
            {"pypi": {"package": p}} for p in (settings.get("CARBON_DATABRICKS_LIBRARIES", "") or "").split()
        ],
    }
    cluster_id = settings.get("CARBON_DATABRICKS_CLUSTER_ID")
    if cluster_id:
        task["existing_cluster_id"] = cluster_id
    else:
        task["new_cluster"] = {
            "spark_version": settings.require("CARBON_DATABRICKS_SPARK_VERSION"),
            "node_type_id": settings.require("CARBON_DATABRICKS_NODE_TYPE"),
            "num_workers": int(settings.get("CARBON_DATABRICKS_NUM_WORKERS", "2") or 2),
        }
    client = PipesDatabricksClient(
        client=aws_client or WorkspaceClient(), context_injector=injector, message_reader=reader
    )
    return PipesLaunch("databricks", client, {"task": jobs.SubmitTask.from_dict(task)})


def _databricks_modules() -> tuple[Any, Any, Any]:
    try:
        from dagster_databricks import PipesDatabricksClient
        from databricks.sdk import WorkspaceClient
        from databricks.sdk.service import jobs
    except ImportError as exc:
        raise PipesConfigError(
            "CARBON_PIPES_CLIENT=databricks needs the dagster-databricks package (and databricks-sdk), which "
            "carbon_pipeline does not install: pip install dagster-databricks"
        ) from exc
    return PipesDatabricksClient, WorkspaceClient, jobs
