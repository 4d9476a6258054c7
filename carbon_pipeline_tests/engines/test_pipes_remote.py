"""CARBON_ENGINE=spark-pipes with an S3 hand-over and a choice of Pipes client (CARBON_PIPES_CLIENT).

With CARBON_PIPES_S3_PREFIX the Parquet inputs and outputs, the Pipes context and the Pipes messages go
through the bucket (here a moto S3 server over real HTTP) instead of this host's folders, and the marts
still equal DuckDB's. Each client name builds the dagster-aws client a cluster deployment uses, with the
parameters it would submit; a missing setting fails naming the variable. No real EMR or Databricks is
reachable here: the EMR Serverless test submits to moto, which runs nothing.
"""

import dataclasses
import json
import uuid
from datetime import date
from pathlib import Path

import boto3
import dagster as dg
import duckdb
import pytest
from dagster_aws.pipes import (
    PipesEMRClient,
    PipesEMRServerlessClient,
    PipesS3ContextInjector,
)
from dagster_pipes import decode_param

from carbon_pipeline.engines.pipes_clients import (
    PipesConfigError,
    PipesEMRStepsClient,
    PrefixedS3MessageReader,
    pipes_launch,
    pipes_settings,
)
from carbon_pipeline.engines.tables import TransformTable
from carbon_pipeline.engines.transpile import flat_name

ENTRY = "s3://acme-carbon-code/carbon_pipes_entry.py"
PREFIX = "s3://acme-carbon-handover/pipes"
SERVERLESS = {
    "CARBON_PIPES_CLIENT": "emr-serverless",
    "CARBON_PIPES_S3_PREFIX": PREFIX,
    "CARBON_PIPES_ENTRY_POINT": ENTRY,
    "CARBON_EMR_SERVERLESS_APPLICATION_ID": "00fexample12345",
    "CARBON_EMR_EXECUTION_ROLE_ARN": "arn:aws:iam::123456789012:role/carbon-emr",
    "CARBON_EMR_SPARK_SUBMIT_PARAMETERS": "--conf spark.archives=s3://acme-carbon-code/venv.tar.gz#environment "
    "--conf spark.emr-serverless.driverEnv.PYSPARK_PYTHON=./environment/bin/python",
}
EMR = {
    "CARBON_PIPES_CLIENT": "emr",
    "CARBON_PIPES_S3_PREFIX": PREFIX,
    "CARBON_PIPES_ENTRY_POINT": ENTRY,
    "CARBON_EMR_SPARK_SUBMIT_PARAMETERS": "--conf spark.executor.memory=4g",
}


@pytest.fixture
def moto_endpoint(moto_server) -> str:
    host, port = moto_server
    return f"http://{host}:{port}"


@pytest.fixture
def aws(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """boto3's default chain, in this process and in every process it starts, points at the moto server;
    the secret is unique so that a test can look for it in the logs."""
    secret = f"moto-secret-{uuid.uuid4()}"
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAPIPESTEST")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    return secret


def keys_under(s3, bucket: str, prefix: str) -> list[str]:
    found = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        found += [item["Key"] for item in page.get("Contents", [])]
    return found


# --- the S3 hand-over, end to end over HTTP ---------------------------------------------------------------


# The transform assets handed over here: a table of three models reading ten tables, a mart reading three and
# one reading one. Every transform asset is made by the one factory (orchestration/sql_table_asset.py,
# transform_asset) whose engine call these go through; the other tables' SQL on Spark is engines/test_spark.py's.
# Each asset starts a JVM and runs its first Spark queries cold (12-18 s here even for a small mart): the
# whole job's ten made this the suite's longest test, 250-270 s (docs/testing.md).
HANDED_OVER = ["ledger/activity", "marts/scope_summary", "marts/cloud_reconciliation"]


def test_every_transform_asset_is_made_by_the_factory_that_calls_the_engine_resource():
    """Why the assets handed over below stand for all of them: with CARBON_ENGINE=spark-pipes the engine resource
    gives the Pipes engine, and every transform asset reaches it through one function. A transform asset written
    another way would not be covered by the hand-over test, and fails here."""
    from carbon_pipeline.defs.emissions.assets import build_emission_assets
    from carbon_pipeline.defs.ledger.assets import build_ledger_assets
    from carbon_pipeline.defs.marts.assets import build_mart_assets
    from carbon_pipeline.engines.tables import transform_tables
    from carbon_pipeline.orchestration.partitions import monthly_partitions

    partitions = monthly_partitions(date(2024, 1, 1))
    assets = [*build_ledger_assets(partitions), *build_emission_assets(partitions), *build_mart_assets(partitions)]
    made_by = {
        spec.metadata["dagster/table_name"]: f"{a.op.compute_fn.decorated_fn.__module__}."
        f"{a.op.compute_fn.decorated_fn.__qualname__}"
        for a in assets
        for spec in a.specs
    }
    tables = {t.table for t in transform_tables()}
    assert {key.replace("/", ".") for key in HANDED_OVER} < tables
    assert {made_by[table] for table in tables} == {
        "carbon_pipeline.orchestration.sql_table_asset.transform_asset.<locals>._asset"
    }


@pytest.mark.spark
def test_with_an_s3_prefix_inputs_outputs_context_and_messages_go_through_the_bucket(
    built, built_copy, aws, monkeypatch
):
    pytest.importorskip("pyspark")
    from carbon_pipeline.runner import failure_messages
    from carbon_pipeline_tests.conftest import materialize_assets
    from carbon_pipeline_tests.engines.test_spark import MARTS, assert_same_marts

    s3 = boto3.client("s3")
    bucket = f"carbon-handover-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    monkeypatch.setenv("CARBON_PIPES_S3_PREFIX", f"s3://{bucket}/pipes")
    monkeypatch.delenv("CARBON_PIPES_CLIENT", raising=False)
    month = date(2025, 2, 1)
    window = "WHERE period_month = DATE '2025-02-01'"
    tables = [key.replace("/", ".") for key in HANDED_OVER]
    # the month's rows are deleted first: only what the external processes wrote can bring them back
    con = duckdb.connect(str(built_copy.settings.warehouse))
    try:
        for table in tables:
            con.execute(f"DELETE FROM {table} {window}")
    finally:
        con.close()
    settings = dataclasses.replace(built_copy.settings, engine="spark-pipes")
    with dg.DagsterInstance.ephemeral() as instance:
        result = materialize_assets(settings, HANDED_OVER, month, month, instance=instance)
        assert result.success, failure_messages(result)
        messages = [entry.user_message for entry in instance.all_logs(result.run_id)]
        run_id = result.run_id

    # the marts and the ledger equal the DuckDB engine's (marts.cloud_emissions, not handed over, as well)
    assert_same_marts(built.settings.warehouse, built_copy.settings.warehouse, window, (*MARTS, "ledger.activity"))

    # every asset left its inputs, its outputs and its messages under <prefix>/<run_id>/<asset>/
    keys = keys_under(s3, bucket, f"pipes/{run_id}/")
    for table in tables:
        base = f"pipes/{run_id}/{flat_name(table)}/"
        mine = [k[len(base) :] for k in keys if k.startswith(base)]
        assert any(k.startswith("inputs/") and k.endswith(".parquet") for k in mine), (table, mine)
        outputs = [k for k in mine if k.startswith(f"outputs/{flat_name(table)}/")]
        assert outputs and all(k.endswith(".parquet") for k in outputs), (table, mine)
        chunks = [k for k in mine if k.startswith("messages/") and k.endswith(".json")]
        assert chunks, (table, mine)
        # the outputs report the process sent is in those chunks: the messages came through S3
        lines = [
            json.loads(line)
            for k in chunks
            for line in s3.get_object(Bucket=bucket, Key=base + k)["Body"].read().decode().splitlines()
        ]
        reports = [m["params"]["payload"] for m in lines if m["method"] == "report_custom_message"]
        assert reports == [{"outputs": {table: f"s3://{bucket}/{base}outputs/{flat_name(table)}"}}], lines
        # the context object was deleted once the process had read it (PipesS3ContextInjector)
        assert not [k for k in mine if k.startswith("context/")], mine
    # ...and the process read its context from the bucket, and its inputs with boto3
    assert sum(m.startswith(f"Pipes context read from s3://{bucket}/pipes/{run_id}/") for m in messages) == len(tables)
    assert any(m.startswith("read ") and "from S3 with boto3" in m for m in messages), messages
    assert any("Spark (" in m and "marts.scope_summary" in m for m in messages)
    # no credential reached the run's logs
    assert not [m for m in messages if aws in m]


# --- client selection: what each client would submit, without calling AWS -------------------------------


def test_default_is_the_subprocess_client_with_local_files():
    settings = pipes_settings({})
    launch = pipes_launch(settings)
    assert settings.s3 is None and not settings.remote
    assert isinstance(launch.client, dg.PipesSubprocessClient)
    assert launch.run_kwargs["command"][1:] == ["-m", "carbon_pipeline.engines.pipes_process"]
    assert not isinstance(launch.client.context_injector, PipesS3ContextInjector)


def test_subprocess_with_an_s3_prefix_uses_the_s3_context_injector_and_message_reader():
    settings = pipes_settings({"CARBON_PIPES_S3_PREFIX": PREFIX + "/"})
    launch = pipes_launch(settings, key_prefix="run-1/ledger__activity", s3=object())
    assert settings.s3.bucket == "acme-carbon-handover" and settings.s3.prefix == "pipes"
    assert settings.s3_io == "boto3"
    injector, reader = launch.client.context_injector, launch.client.message_reader
    assert isinstance(injector, PipesS3ContextInjector)
    assert (injector.bucket, injector.key_prefix) == ("acme-carbon-handover", "pipes/run-1/ledger__activity/context/")
    assert isinstance(reader, PrefixedS3MessageReader)
    assert (reader.bucket, reader.key_prefix) == ("acme-carbon-handover", "pipes/run-1/ledger__activity/messages")
    with reader.get_params() as params:
        assert params["bucket"] == "acme-carbon-handover"
        assert params["key_prefix"].startswith("pipes/run-1/ledger__activity/messages/")


def test_emr_serverless_builds_the_dagster_aws_client_and_its_start_job_run_parameters(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    settings = pipes_settings(SERVERLESS)
    launch = pipes_launch(settings, key_prefix="run-1/marts__scope_summary", s3=object())
    assert isinstance(launch.client, PipesEMRServerlessClient)
    assert isinstance(launch.client.context_injector, PipesS3ContextInjector)
    assert isinstance(launch.client.message_reader, PrefixedS3MessageReader)
    params = launch.run_kwargs["start_job_run_params"]
    assert params["applicationId"] == "00fexample12345"
    assert params["executionRoleArn"] == "arn:aws:iam::123456789012:role/carbon-emr"
    submit = params["jobDriver"]["sparkSubmit"]
    assert submit["entryPoint"] == ENTRY
    assert submit["sparkSubmitParameters"] == (
        "--conf spark.archives=s3://acme-carbon-code/venv.tar.gz#environment "
        "--conf spark.emr-serverless.driverEnv.PYSPARK_PYTHON=./environment/bin/python"
    )
    assert params["configurationOverrides"]["monitoringConfiguration"]["s3MonitoringConfiguration"] == {
        "logUri": "s3://acme-carbon-handover/pipes/emr-logs/"
    }
    # Spark on the cluster reads and writes s3:// itself unless told to copy with boto3
    assert settings.s3_io == "spark"
    assert pipes_settings({**SERVERLESS, "CARBON_PIPES_S3_IO": "boto3"}).s3_io == "boto3"


def test_emr_without_a_cluster_id_starts_a_cluster_per_run_with_pipes_emr_client(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    launch = pipes_launch(pipes_settings({**EMR, "CARBON_EMR_SUBNET_ID": "subnet-0abc"}), key_prefix="r/a", s3=object())
    assert isinstance(launch.client, PipesEMRClient)
    flow = launch.run_kwargs["run_job_flow_params"]
    assert flow["LogUri"] == "s3://acme-carbon-handover/pipes/emr-logs/"
    assert flow["Applications"] == [{"Name": "Spark"}]
    assert flow["Instances"]["KeepJobFlowAliveWhenNoSteps"] is False
    assert flow["Instances"]["Ec2SubnetId"] == "subnet-0abc"
    (step,) = flow["Steps"]
    assert step["HadoopJarStep"]["Args"] == [
        "spark-submit",
        "--deploy-mode",
        "cluster",
        "--conf",
        "spark.executor.memory=4g",
        ENTRY,
    ]
    assert (flow["JobFlowRole"], flow["ServiceRole"]) == ("EMR_EC2_DefaultRole", "EMR_DefaultRole")


def test_emr_with_a_cluster_id_adds_a_step_that_carries_the_pipes_arguments(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    settings = pipes_settings({**EMR, "CARBON_EMR_CLUSTER_ID": "j-2AXXXXXXGAPLF"})
    launch = pipes_launch(settings, key_prefix="r/a", s3=object())
    assert isinstance(launch.client, PipesEMRStepsClient)
    assert launch.run_kwargs["cluster_id"] == "j-2AXXXXXXGAPLF"
    step = launch.run_kwargs["step"]
    assert step["HadoopJarStep"]["Jar"] == "command-runner.jar"
    submitted = PipesEMRStepsClient.step_arguments(
        step, {"--dagster-pipes-context": "CTX", "--dagster-pipes-messages": "MSG"}
    )
    assert submitted["HadoopJarStep"]["Args"] == [
        "spark-submit",
        "--deploy-mode",
        "cluster",
        "--conf",
        "spark.executor.memory=4g",
        ENTRY,
        "--dagster-pipes-context",
        "CTX",
        "--dagster-pipes-messages",
        "MSG",
    ]
    assert step["HadoopJarStep"]["Args"][-1] == ENTRY  # the configured step is not changed by a run


def test_databricks_without_dagster_databricks_says_which_package_to_install():
    try:
        import dagster_databricks  # noqa: F401
    except ImportError:
        pass
    else:  # pragma: no cover - only where someone installed it
        pytest.skip("dagster-databricks is installed here")
    with pytest.raises(PipesConfigError, match="pip install dagster-databricks"):
        pipes_settings(
            {
                "CARBON_PIPES_CLIENT": "databricks",
                "CARBON_PIPES_S3_PREFIX": PREFIX,
                "CARBON_PIPES_ENTRY_POINT": "dbfs:/carbon/entry.py",
                "CARBON_DATABRICKS_CLUSTER_ID": "0101",
            }
        )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"CARBON_PIPES_CLIENT": "lambda"}, "CARBON_PIPES_CLIENT='lambda'"),
        ({"CARBON_PIPES_S3_PREFIX": "acme-bucket/pipes"}, "CARBON_PIPES_S3_PREFIX"),
        ({"CARBON_PIPES_CLIENT": "emr-serverless", "CARBON_PIPES_ENTRY_POINT": ENTRY}, "CARBON_PIPES_S3_PREFIX"),
        ({k: v for k, v in SERVERLESS.items() if k != "CARBON_PIPES_ENTRY_POINT"}, "CARBON_PIPES_ENTRY_POINT"),
        ({**SERVERLESS, "CARBON_PIPES_ENTRY_POINT": "/opt/entry.py"}, "CARBON_PIPES_ENTRY_POINT"),
        (
            {k: v for k, v in SERVERLESS.items() if k != "CARBON_EMR_SERVERLESS_APPLICATION_ID"},
            "CARBON_EMR_SERVERLESS_APPLICATION_ID",
        ),
        (
            {k: v for k, v in SERVERLESS.items() if k != "CARBON_EMR_EXECUTION_ROLE_ARN"},
            "CARBON_EMR_EXECUTION_ROLE_ARN",
        ),
        ({**SERVERLESS, "CARBON_EMR_EXECUTION_ROLE_ARN": "  "}, "CARBON_EMR_EXECUTION_ROLE_ARN"),
        ({k: v for k, v in EMR.items() if k != "CARBON_PIPES_S3_PREFIX"}, "CARBON_PIPES_S3_PREFIX"),
        ({**SERVERLESS, "CARBON_PIPES_S3_IO": "hdfs"}, "CARBON_PIPES_S3_IO"),
    ],
)
def test_a_missing_or_wrong_setting_fails_naming_the_variable(env, named):
    with pytest.raises(PipesConfigError, match=named.replace("(", r"\(")):
        pipes_settings(env)


def test_the_engine_reads_its_settings_when_made_so_a_missing_variable_fails_before_any_export(monkeypatch):
    from carbon_pipeline.engines import engine_for

    monkeypatch.setenv("CARBON_PIPES_CLIENT", "emr-serverless")
    monkeypatch.delenv("CARBON_PIPES_S3_PREFIX", raising=False)
    with pytest.raises(PipesConfigError, match="needs CARBON_PIPES_S3_PREFIX"):
        engine_for("spark-pipes", context=object())


# --- submissions to moto over HTTP: EMR Serverless, and a step on a running EMR cluster ---------------------


@pytest.fixture
def no_late_messages(monkeypatch):
    """moto runs no job, so no Pipes message will ever arrive: the reader need not wait Dagster's 10 s
    after the session closes for late ones (it still polls once after closing)."""
    import dagster._core.pipes.utils as pipes_utils

    monkeypatch.setattr(pipes_utils, "WAIT_FOR_LOGS_AFTER_EXECUTION_INTERVAL", 0)


def run_engine_in_an_asset(tmp_path: Path) -> dg.ExecuteInProcessResult:
    """One asset whose engine hands one table to the configured Pipes client, with a real input file."""
    from carbon_pipeline.engines.pipes import PipesSparkWarehouseEngine

    source = tmp_path / "raw__activity_rows.parquet"
    duckdb.sql("SELECT DATE '2025-02-01' AS period_month, 1 AS n").write_parquet(str(source))

    @dg.asset
    def spark_step(context: dg.AssetExecutionContext) -> None:
        PipesSparkWarehouseEngine(context)._materialise(
            [TransformTable("ledger.activity", ("ledger/activity",))],
            {"raw.activity_rows": source},
            {"ledger.activity": [("period_month", "DATE")]},
            tmp_path / "outputs",
            date(2025, 2, 1),
            date(2025, 3, 1),
            {},
        )

    return dg.materialize([spark_step], raise_on_error=False)


def step_errors(result: dg.ExecuteInProcessResult) -> list[str]:
    return [str(e.event_specific_data.error) for e in result.all_events if e.is_step_failure]


@pytest.fixture
def handover_bucket(aws) -> str:
    bucket = f"carbon-handover-{uuid.uuid4().hex[:8]}"
    boto3.client("s3").create_bucket(Bucket=bucket)
    return bucket


def test_emr_serverless_submits_the_job_with_its_pipes_parameters_and_a_job_that_reports_nothing_fails(
    handover_bucket, tmp_path, monkeypatch, no_late_messages
):
    """moto accepts the job and says SUCCESS at once without running anything: the engine must not take
    that for a result. What the test proves is the submission (over HTTP, with the bootstrap parameters
    pointing into the bucket); a real job's completion is not tested anywhere here."""
    bucket = handover_bucket
    serverless = boto3.client("emr-serverless")
    app = serverless.create_application(name="carbon", releaseLabel="emr-7.5.0", type="SPARK")["applicationId"]
    for name, value in {
        **SERVERLESS,
        "CARBON_PIPES_S3_PREFIX": f"s3://{bucket}/pipes",
        "CARBON_EMR_SERVERLESS_APPLICATION_ID": app,
        "CARBON_EMR_POLL_SECONDS": "0.1",
    }.items():
        monkeypatch.setenv(name, value)

    result = run_engine_in_an_asset(tmp_path)
    assert not result.success
    errors = step_errors(result)
    assert any("ended without reporting its outputs for ledger.activity" in e for e in errors), errors

    (run,) = serverless.list_job_runs(applicationId=app)["jobRuns"]
    job = serverless.get_job_run(applicationId=app, jobRunId=run["id"])["jobRun"]
    submit = job["jobDriver"]["sparkSubmit"]
    assert submit["entryPoint"] == ENTRY
    parameters = submit["sparkSubmitParameters"]
    assert parameters.startswith(SERVERLESS["CARBON_EMR_SPARK_SUBMIT_PARAMETERS"])
    env = dict(
        part.removeprefix("spark.emr-serverless.driverEnv.").split("=", 1)
        for part in parameters.split(" --conf ")[1:]
        if part.startswith("spark.emr-serverless.driverEnv.DAGSTER_PIPES_")
    )
    base = f"pipes/{result.run_id}/spark_step"
    context_params = decode_param(env["DAGSTER_PIPES_CONTEXT"])
    messages_params = decode_param(env["DAGSTER_PIPES_MESSAGES"])
    assert context_params["bucket"] == bucket and context_params["key"].startswith(f"{base}/context/")
    assert messages_params["bucket"] == bucket and messages_params["key_prefix"].startswith(f"{base}/messages/")
    assert job["tags"]["dagster/run-id"] == result.run_id
    # the input was uploaded before the submission
    s3 = boto3.client("s3")
    assert keys_under(s3, bucket, f"{base}/inputs/") == [f"{base}/inputs/raw__activity_rows.parquet"]


def test_emr_step_on_a_running_cluster_carries_the_pipes_arguments_and_times_out_loudly(
    handover_bucket, tmp_path, monkeypatch, no_late_messages
):
    """moto's EMR never finishes a step: the client adds it (over HTTP), waits its timeout, and fails
    naming the step and its state. A step's completion on a real cluster is not tested here."""
    emr = boto3.client("emr")
    cluster = emr.run_job_flow(
        Name="carbon-test",
        ReleaseLabel="emr-7.5.0",
        Instances={"MasterInstanceType": "m5.xlarge", "InstanceCount": 1, "KeepJobFlowAliveWhenNoSteps": True},
        JobFlowRole="EMR_EC2_DefaultRole",
        ServiceRole="EMR_DefaultRole",
    )["JobFlowId"]
    for name, value in {
        **EMR,
        "CARBON_PIPES_S3_PREFIX": f"s3://{handover_bucket}/pipes",
        "CARBON_EMR_CLUSTER_ID": cluster,
        "CARBON_EMR_POLL_SECONDS": "0.2",
        "CARBON_EMR_STEP_TIMEOUT_MINUTES": "0.01",
    }.items():
        monkeypatch.setenv(name, value)

    result = run_engine_in_an_asset(tmp_path)
    assert not result.success
    errors = step_errors(result)
    (step,) = emr.list_steps(ClusterId=cluster)["Steps"]
    assert any(f"EMR step {step['Id']} on cluster {cluster} still" in e and "cancelled" in e for e in errors), errors
    args = step["Config"]["Args"]
    assert args[:6] == ["spark-submit", "--deploy-mode", "cluster", "--conf", "spark.executor.memory=4g", ENTRY]
    bootstrap = dict(zip(args[6::2], args[7::2], strict=True))
    base = f"pipes/{result.run_id}/spark_step"
    assert decode_param(bootstrap["--dagster-pipes-context"])["key"].startswith(f"{base}/context/")
    assert decode_param(bootstrap["--dagster-pipes-messages"])["key_prefix"].startswith(f"{base}/messages/")


def test_the_s3_message_reader_reads_every_chunk_still_waiting_when_the_session_closes(handover_bucket):
    """Why the S3 hand-over test above failed once on a loaded machine: Dagster's blob-store reader took one
    chunk per poll and gave up 10 s after the session closed unless it had read ``closed``, so when slow
    polls left chunks behind, the last ones (the outputs report, ``closed``) were dropped. Here 30 chunks,
    more than that grace period reads one at a time, are all waiting when the session closes."""
    s3 = boto3.client("s3")
    injector = PipesS3ContextInjector(bucket=handover_bucket, client=s3, key_prefix="backlog/context/")
    reader = PrefixedS3MessageReader(bucket=handover_bucket, client=s3, key_prefix="backlog/messages", interval=1)
    chunks = 30
    reports: list = []

    def message(method: str, params: dict) -> str:
        return json.dumps({"__dagster_pipes_version": "0.1", "method": method, "params": params})

    @dg.asset
    def backlog(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        with dg.open_pipes_session(context=context, context_injector=injector, message_reader=reader) as session:
            prefix = session.message_reader_params["key_prefix"]
            for index in range(1, chunks + 1):
                lines = [message("report_custom_message", {"payload": index})]
                if index == chunks:
                    lines.append(message("closed", {}))
                s3.put_object(Bucket=handover_bucket, Key=f"{prefix}/{index}.json", Body="\n".join(lines).encode())
        reports.extend(session.get_custom_messages())
        return dg.MaterializeResult()

    assert dg.materialize([backlog]).success
    assert reports == list(range(1, chunks + 1))


def test_entry_point_output_paths_keep_their_s3_scheme():
    from carbon_pipeline.engines.pipes_process import _Uri

    out = _Uri("s3://bucket/pipes/run/asset/outputs") / flat_name("marts.scope_summary")
    assert str(out) == "s3://bucket/pipes/run/asset/outputs/marts__scope_summary"
    assert str(Path("s3://bucket/x")) == "s3:/bucket/x"  # why _Uri exists


def test_an_empty_output_location_is_an_error_naming_it(handover_bucket):
    from carbon_pipeline.engines.pipes_handover import download_parquet

    uri = f"s3://{handover_bucket}/pipes/run/asset/outputs/marts__scope_summary"
    with pytest.raises(RuntimeError, match=f"no Parquet files under {uri}"):
        download_parquet(boto3.client("s3"), uri, Path("/nonexistent/never-written"))


@pytest.mark.spark
def test_the_process_takes_its_pipes_parameters_from_arguments_as_an_emr_step_passes_them(handover_bucket):
    """The process side of PipesEMRStepsClient: ``--dagster-pipes-*`` arguments, no DAGSTER_PIPES_*
    variables; the context is read from S3 and the report written there (an empty job: no tables)."""
    pytest.importorskip("pyspark")
    import os
    import subprocess
    import sys

    from carbon_pipeline.engines.pipes import pipes_spec

    s3 = boto3.client("s3")
    bucket = handover_bucket
    injector = PipesS3ContextInjector(bucket=bucket, client=s3, key_prefix="steps/context/")
    reader = PrefixedS3MessageReader(bucket=bucket, client=s3, key_prefix="steps/messages", interval=0.5)
    spec = pipes_spec(
        [], {}, {}, f"s3://{bucket}/steps/outputs", date(2025, 2, 1), date(2025, 3, 1), {}, "local[1]", s3_io="boto3"
    )
    reports: list = []

    @dg.asset
    def step_process(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        with dg.open_pipes_session(
            context=context, context_injector=injector, message_reader=reader, extras={"spec": spec}
        ) as session:
            args = [part for pair in session.get_bootstrap_cli_arguments().items() for part in pair]
            env = {k: v for k, v in os.environ.items() if not k.startswith("DAGSTER_PIPES_")}
            subprocess.run([sys.executable, "-m", "carbon_pipeline.engines.pipes_process", *args], check=True, env=env)
        reports.extend(session.get_custom_messages())
        return dg.MaterializeResult()

    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize([step_process], instance=instance)
        logs = [entry.user_message for entry in instance.all_logs(result.run_id)]
    assert result.success
    assert reports == [{"outputs": {}}]
    assert any(m.startswith(f"Pipes context read from s3://{bucket}/steps/context/") for m in logs), logs
    assert keys_under(s3, bucket, "steps/messages/")
