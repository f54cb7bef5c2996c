"""A loopback S3-compatible server: moto's server mode, with request signing enforced.

moto accepts any request by default. Here, once the bucket is set up, every request must be
signed (AWS Signature V4) with the access key of an IAM user whose policy allows S3 on that
one bucket: a wrong secret is `SignatureDoesNotMatch`, an unknown key `InvalidAccessKeyId`,
another bucket (or one that does not exist) `AccessDenied`, as on AWS.

Requests without a signature are what a browser or a crawler sends. moto's signature check
fails on them with a 500 (it reads a missing `Authorization` header), so they are answered
as S3 does: a GET or HEAD of an object that the bucket policy (or the object's ACL) makes
public is served (moto checks both before this point), anything else is `AccessDenied`.

Like every stand-in in tests/servers/, it never imports Broadside's code.
"""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass
from typing import Any, Self

import boto3
import requests
from moto import settings as moto_settings
from moto.core.responses import ActionAuthenticatorMixin
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.s3.exceptions import S3AccessDeniedError
from moto.s3.responses import S3Response

REGION = "eu-west-1"


@dataclass(frozen=True)
class Credentials:
    access_key_id: str
    secret_access_key: str


def _public_reads_only(original):
    """moto's S3 authorisation, answering unsigned requests as S3 does (module docstring)."""

    def authorise(self: S3Response, bucket_name: str | None = None, key_name: str | None = None):
        signed = "Authorization" in self.headers or "Signature=" in (self.uri or "")
        if signed:
            return original(self, bucket_name=bucket_name, key_name=key_name)
        if self.method in ("GET", "HEAD") and key_name and bucket_name:
            # moto's object handler refused it already unless the bucket policy or the ACL
            # lets anyone read it; an object that does not exist is AccessDenied, not 404.
            if self.backend.get_object(bucket_name, key_name) is not None:
                return None
        raise S3AccessDeniedError()

    authorise.broadside_public_reads_only = True
    return authorise


class FakeS3:
    """moto in server mode on an ephemeral loopback port, with one bucket and one IAM user.

    `public_prefixes` are the key prefixes the bucket policy lets anyone read (e.g.
    ["media/images/"]). Use as a context manager; `url` is the endpoint, `credentials` the
    user's keys, `client()` a boto3 client signed with them (or with others).
    """

    def __init__(self, bucket: str, public_prefixes: list[str] = ()) -> None:
        self.bucket = bucket
        self.public_prefixes = list(public_prefixes)
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.url = ""
        self.credentials = Credentials("", "")
        self._original_authorise = None
        self._original_no_auth_count = moto_settings.INITIAL_NO_AUTH_ACTION_COUNT

    def client(self, credentials: Credentials | None = None) -> Any:
        """A boto3 S3 client for this server, signed with `credentials` (the user's by
        default)."""
        credentials = credentials or self.credentials
        return boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id=credentials.access_key_id,
            aws_secret_access_key=credentials.secret_access_key,
        )

    def keys(self) -> list[str]:
        """Every key in the bucket, listed with the user's credentials."""
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=self.bucket)
        return [item["Key"] for page in pages for item in page.get("Contents", [])]

    def __enter__(self) -> Self:
        # werkzeug logs every request at INFO: keep test output to failures.
        self._werkzeug_level = logging.getLogger("werkzeug").level
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self.server.start()
        host, port = self.server.get_host_and_port()
        self.url = f"http://{host}:{port}"
        # moto keeps its backends per process, not per server: a bucket or user of an earlier
        # server (the same module set up again after pytest-django reordered its tests) is gone.
        requests.post(f"{self.url}/moto-api/reset", timeout=5).raise_for_status()
        # Set-up runs before authentication is enforced (moto's "no auth" allowance).
        setup = Credentials("setup", "setup")
        iam = boto3.client(
            "iam",
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id=setup.access_key_id,
            aws_secret_access_key=setup.secret_access_key,
        )
        user = f"broadside-{secrets.token_hex(4)}"
        iam.create_user(UserName=user)
        iam.put_user_policy(
            UserName=user,
            PolicyName="one-bucket",
            PolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": "s3:*",
                            "Resource": [
                                f"arn:aws:s3:::{self.bucket}",
                                f"arn:aws:s3:::{self.bucket}/*",
                            ],
                        }
                    ],
                }
            ),
        )
        key = iam.create_access_key(UserName=user)["AccessKey"]
        self.credentials = Credentials(key["AccessKeyId"], key["SecretAccessKey"])
        admin = self.client(setup)
        admin.create_bucket(
            Bucket=self.bucket, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        if self.public_prefixes:
            admin.put_bucket_policy(
                Bucket=self.bucket,
                Policy=json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": "*",
                                "Action": "s3:GetObject",
                                "Resource": [
                                    f"arn:aws:s3:::{self.bucket}/{prefix}*"
                                    for prefix in self.public_prefixes
                                ],
                            }
                        ],
                    }
                ),
            )
        self._original_authorise = S3Response._authenticate_and_authorize_s3_action
        S3Response._authenticate_and_authorize_s3_action = _public_reads_only(
            ActionAuthenticatorMixin._authenticate_and_authorize_s3_action
        )
        # From now on every request is authenticated (moto's own switch, per process).
        requests.post(f"{self.url}/moto-api/reset-auth", data=b"0", timeout=5).raise_for_status()
        return self

    def __exit__(self, *exc_info) -> None:
        if self._original_authorise is not None:
            S3Response._authenticate_and_authorize_s3_action = self._original_authorise
        moto_settings.INITIAL_NO_AUTH_ACTION_COUNT = self._original_no_auth_count
        self.server.stop()
        logging.getLogger("werkzeug").setLevel(self._werkzeug_level)
