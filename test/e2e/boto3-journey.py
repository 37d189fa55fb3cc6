"""boto3 against a running Latchkey, on its own: root creates a user with an inline policy that
allows iam:ListUsers and iam:GetUser only and an access key for it; as that user, ListUsers and
GetUser succeed and CreateUser raises ClientError with the code AccessDenied.

Needs LATCHKEY_ENDPOINT, E2E_USER and root's AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
AWS_DEFAULT_REGION in the environment. Prints one line per step; exits non-zero on the first
step that does not go as AWS would.
"""
import json
import os
import re

import boto3
from botocore.exceptions import ClientError

from journey_lib import CONFIG, ENDPOINT, fail

USER = os.environ["E2E_USER"]


def client(**credentials):
    return boto3.client("iam", endpoint_url=ENDPOINT, config=CONFIG, **credentials)


root = client()
created = root.create_user(UserName=USER)["User"]
if created["UserName"] != USER or not created["Arn"].endswith(f":user/{USER}"):
    fail(f"create_user returned {created}")
print(f"ok: create_user {USER}")

policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["iam:ListUsers", "iam:GetUser"], "Resource": "*"}]}
root.put_user_policy(UserName=USER, PolicyName="list-and-get", PolicyDocument=json.dumps(policy))
got = root.get_user_policy(UserName=USER, PolicyName="list-and-get")
# boto3 decodes the URL-encoded document into a dict.
if got["PolicyDocument"] != policy:
    fail(f"get_user_policy returned {got['PolicyDocument']!r}")
print("ok: put_user_policy and get_user_policy")

key = root.create_access_key(UserName=USER)["AccessKey"]
if not re.fullmatch(r"AKIA[A-Z2-7]{16}", key["AccessKeyId"]) or len(key["SecretAccessKey"]) != 40 or key["Status"] != "Active":
    fail(f"create_access_key returned id {key['AccessKeyId']!r}, status {key['Status']!r}")
print(f"ok: create_access_key {key['AccessKeyId']}")

user = client(aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
names = [u["UserName"] for u in user.list_users()["Users"]]
if USER not in names:
    fail(f"list_users as {USER} did not list it: {names}")
print(f"ok: list_users as {USER}")

if user.get_user(UserName=USER)["User"]["UserName"] != USER:
    fail("get_user as the user returned another user")
print(f"ok: get_user as {USER}")

try:
    user.create_user(UserName=f"{USER}-not-allowed")
    fail(f"create_user as {USER} succeeded")
except ClientError as err:
    error = err.response["Error"]
    status = err.response["ResponseMetadata"]["HTTPStatusCode"]
    if error["Code"] != "AccessDenied" or status != 403:
        fail(f"create_user as {USER} failed with {status} {error}")
    # AWS's message exactly, with nothing after the reason (AUTHORIZATION_FAILURE_MESSAGES is plain).
    reason = (
        f"User: {created['Arn']} is not authorized to perform: iam:CreateUser on resource: "
        f"{created['Arn']}-not-allowed because no identity-based policy allows the iam:CreateUser action"
    )
    if error["Message"] != reason:
        fail(f"AccessDenied without AWS's message: {error['Message']!r}")
    if not err.response["ResponseMetadata"].get("RequestId"):
        fail("the error carries no request id")
print(f"ok: create_user as {USER} is AccessDenied")
