#!/usr/bin/env python3
"""Extract the STS and IAM service models from botocore into compact JSON for src/protocol/models/.

Only shapes and constraints are kept (operation names, input/output shapes, resultWrapper, error
shapes; each shape's type, members, required, min, max, pattern, enum, list member, map key/value,
locationName, flattened, timestampFormat, sensitive, and error codes). Every documentation string is
dropped: the prose is not ours to copy. The outputs are committed, so CI needs no Python.

Usage: python3 scripts/extract-models.py   (from the repository root)
"""
import gzip
import json
import os
import sys

import botocore

SERVICES = {
    "sts": "sts/2011-06-15",
    "iam": "iam/2010-05-08",
}
METADATA_KEYS = ("apiVersion", "endpointPrefix", "protocol", "serviceId", "xmlNamespace")
SHAPE_KEYS = ("type", "required", "min", "max", "pattern", "enum", "flattened", "timestampFormat",
              "sensitive", "exception", "locationName")
REF_KEYS = ("shape", "locationName", "flattened", "xmlNamespace")
ERROR_KEYS = ("code", "httpStatusCode", "senderFault")


def ref(r):
    return {k: r[k] for k in REF_KEYS if k in r}


def shape(s):
    out = {k: s[k] for k in SHAPE_KEYS if k in s}
    if "members" in s:
        out["members"] = {name: ref(m) for name, m in s["members"].items()}
    for k in ("member", "key", "value"):
        if k in s:
            out[k] = ref(s[k])
    if "error" in s:
        out["error"] = {k: s["error"][k] for k in ERROR_KEYS if k in s["error"]}
    return out


def operation(o):
    out = {}
    if "input" in o:
        out["input"] = o["input"]["shape"]
    if "output" in o:
        out["output"] = o["output"]["shape"]
        if "resultWrapper" in o["output"]:
            out["resultWrapper"] = o["output"]["resultWrapper"]
    if o.get("errors"):
        out["errors"] = [e["shape"] for e in o["errors"]]
    return out


def extract(service, rel):
    path = os.path.join(os.path.dirname(botocore.__file__), "data", rel, "service-2.json.gz")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        model = json.load(f)
    return {
        "origin": (f"derived from botocore {botocore.__version__} data/{rel}/service-2.json "
                   "shapes and constraints (documentation removed), Apache-2.0"),
        "botocoreVersion": botocore.__version__,
        "metadata": {k: model["metadata"][k] for k in METADATA_KEYS if k in model["metadata"]},
        "operations": {name: operation(o) for name, o in sorted(model["operations"].items())},
        "shapes": {name: shape(s) for name, s in sorted(model["shapes"].items())},
    }


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out_dir = os.path.join(root, "src", "protocol", "models")
    os.makedirs(out_dir, exist_ok=True)
    for service, rel in SERVICES.items():
        data = extract(service, rel)
        target = os.path.join(out_dir, f"{service}.json")
        with open(target, "w", encoding="utf-8") as f:
            json.dump(data, f, separators=(",", ":"), ensure_ascii=True)
            f.write("\n")
        print(f"{target}: {len(data['operations'])} operations, {len(data['shapes'])} shapes", file=sys.stderr)


if __name__ == "__main__":
    main()
