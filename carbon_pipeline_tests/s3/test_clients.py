"""The S3 clients the sources make: each source's credentials stay its own, while botocore's parsed service
definitions are read once per process (a fresh boto3 session re-parses them: about 0.15 s per client, which
a delivery sensor over many months paid once per month and tick)."""

from carbon_pipeline.safety.s3_client import aws_session, make_s3_client


def test_clients_of_two_sources_keep_their_own_credentials_and_share_the_service_definitions():
    first = make_s3_client(
        max_attempts=3, region_name="eu-west-1", aws_access_key_id="AKIAFIRST", aws_secret_access_key="first-secret"
    )
    second = make_s3_client(
        max_attempts=3, region_name="us-east-1", aws_access_key_id="AKIASECOND", aws_secret_access_key="second-secret"
    )
    assert first._request_signer._credentials.access_key == "AKIAFIRST"
    assert second._request_signer._credentials.access_key == "AKIASECOND"
    assert (first.meta.region_name, second.meta.region_name) == ("eu-west-1", "us-east-1")
    assert first._loader is second._loader


def test_each_session_reads_the_default_credential_chain_when_it_is_made(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIABEFORE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "before")
    before = aws_session().get_credentials().access_key
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAAFTER")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "after")
    assert (before, aws_session().get_credentials().access_key) == ("AKIABEFORE", "AKIAAFTER")
