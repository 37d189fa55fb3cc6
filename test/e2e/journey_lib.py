"""Shared by the boto3 journeys (each imports it from its own folder, as the CLI journeys source
journey-lib.sh): the service's endpoint, a client configuration that never retries (a refusal is
seen once, as it was answered), and the helpers every journey used to carry a copy of."""
import os
import re
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = os.environ["LATCHKEY_ENDPOINT"]
CONFIG = Config(retries={"max_attempts": 1, "mode": "standard"})


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def client(service, credentials=None):
    """A client of `service` at the endpoint: with these temporary or long-term credentials (as
    STS returns them), or with the environment's."""
    keys = {}
    if credentials is not None:
        keys = {"aws_access_key_id": credentials["AccessKeyId"], "aws_secret_access_key": credentials["SecretAccessKey"]}
        if credentials.get("SessionToken"):
            keys["aws_session_token"] = credentials["SessionToken"]
    return boto3.client(service, endpoint_url=ENDPOINT, config=CONFIG, **keys)


def exactly(message):
    """A pattern for `refused` that matches `message` and nothing more."""
    return re.escape(message) + r"\Z"


def refused(what, code, call, message=None, status=None, request_id=False):
    """The call raises ClientError with `code`, with HTTP `status` when one is given, with a message
    that `message` (a regular expression) matches from its start when one is given, and, with
    `request_id`, a request id."""
    try:
        call()
    except ClientError as err:
        error = err.response["Error"]
        got = err.response["ResponseMetadata"]["HTTPStatusCode"]
        if error["Code"] != code or (status is not None and got != status):
            fail(f"{what} failed with {got} {error}, expected {status or ''} {code}")
        if message is not None and not re.match(message, error["Message"]):
            fail(f"{what}: the message {error['Message']!r} does not match {message!r}")
        if request_id and not err.response["ResponseMetadata"].get("RequestId"):
            fail(f"{what}: the error carries no request id")
        return
    fail(f"{what} succeeded, expected {code}")
