#!/usr/bin/env python3
"""Extract the STS and IAM service models from botocore into compact JSON for src/protocol/models/,
and the TypeScript types of every operation's input and output beside them.

Only shapes and constraints are kept (operation names, input/output shapes, resultWrapper, error
shapes, the operation's auth type when it is not the service's SigV4; the service's signing name
when the model has one; each shape's type, members, required, min, max, pattern, enum, list
member, map key/value, locationName, flattened, timestampFormat, sensitive, and error codes).
Every documentation string is dropped: the prose is not ours to copy.

models/<service>.types.ts: each operation's input and output in the camelCase shape handlers see
them (src/protocol/parse-query.ts makes inputs, render.ts takes outputs), and whether its requests
are signed; src/operation.ts checks every handler against them (defineOperation).

The outputs are committed, so CI needs no Python.

Usage: python3 scripts/extract-models.py   (from the repository root)
"""
import gzip
import json
import os
import re
import sys

import botocore

SERVICES = {
    "sts": "sts/2011-06-15",
    "iam": "iam/2010-05-08",
}
METADATA_KEYS = ("apiVersion", "endpointPrefix", "protocol", "serviceId", "signingName", "xmlNamespace")
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
    auth = authtype(o)
    if auth is not None:
        out["authtype"] = auth
    return out


def authtype(o):
    """The operation's own auth type, when it has one: `none` for the unsigned federation actions.

    Newer models say it twice (`authtype` and the Smithy `auth` list); older ones only `authtype`.
    Any other value is refused here, so that a model change cannot silently sign or unsign an action.
    """
    legacy = o.get("authtype")
    smithy = o.get("auth")
    unsigned = legacy == "none" or (smithy is not None and smithy == ["smithy.api#noAuth"])
    if unsigned:
        return "none"
    if legacy not in (None, "v4") or (smithy is not None and "aws.auth#sigv4" not in smithy):
        raise SystemExit(f"unknown auth type {legacy!r} / {smithy!r} for operation {o.get('name')}")
    return None


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


# TypeScript types ---------------------------------------------------------------------------------

# Output members the model requires that AWS leaves out, so the types do too: the root user is no
# IAM user, and GetUser (without UserName) describes it with no UserName or Path, CreateAccessKey
# makes its key with no UserName.
OUTPUT_OPTIONAL = {("User", "Path"), ("User", "UserName"), ("AccessKey", "UserName")}

# Names a generated interface must not take: the globals the generated types use.
RESERVED = {"Date", "Map", "ReadonlyMap", "ReadonlyArray", "Record", "Readonly", "Partial", "Uint8Array"}
TS_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")


def to_camel(wire):
    """src/protocol/names.ts toCamel: `RoleArn` -> `roleArn`, `SAMLAssertion` -> `samlAssertion`, `ARN` -> `arn`."""
    upper = 0
    while upper < len(wire) and "A" <= wire[upper] <= "Z":
        upper += 1
    if upper == 0:
        return wire
    if upper == 1 or upper == len(wire):
        return wire[:upper].lower() + wire[upper:]
    keep = upper - 1 if "a" <= wire[upper] <= "z" else upper
    return wire[:keep].lower() + wire[keep:]


def quote(value):
    if not re.match(r"^[\x20-\x7e]*$", value):
        raise SystemExit(f"enum value {value!r} is not plain ASCII")
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class Types:
    """The TypeScript declarations of one extracted model.

    A structure becomes an interface named as in the model; scalars, lists and maps are written
    inline. Inputs and outputs differ in two ways: an optional output member may also be
    `undefined` (render.ts leaves it out), and a map is a `ReadonlyMap` in an input (parse-query.ts)
    but a `ReadonlyMap` or a plain object in an output (render.ts takes both). A structure reachable
    from both sides whose two forms differ gets a second interface for the input side, `<Name>Input`.

    An input's enum is the union of its values (validate.ts refused any other); an output's is a
    string, as AWS answers values its model does not list (PermissionsBoundaryType is `Policy`
    where the model says `PermissionsBoundaryPolicy`).
    """

    def __init__(self, data):
        self.shapes = data["shapes"]
        self.sides = {}  # structure name -> set of sides ("in", "out") it is reachable from
        self.differs_memo = {}
        self.enums = set()  # enum shapes referenced, declared as unions of their values
        for o in data["operations"].values():
            if "input" in o:
                self.reach(o["input"], "in")
            if "output" in o:
                self.reach(o["output"], "out")

    def reach(self, name, side):
        seen = self.sides.setdefault(name, set()) if self.shapes[name]["type"] == "structure" else None
        if seen is not None:
            if side in seen:
                return
            seen.add(side)
        s = self.shapes[name]
        for r in list(s.get("members", {}).values()) + [s[k] for k in ("member", "key", "value") if k in s]:
            self.reach(r["shape"], side)

    def differs(self, name, visiting=()):
        """Whether the shape's input form differs from its output form."""
        if name in self.differs_memo:
            return self.differs_memo[name]
        if name in visiting:
            return False
        s = self.shapes[name]
        t = s["type"]
        if t == "map" or "enum" in s:
            result = True
        elif t == "list":
            result = self.differs(s["member"]["shape"], visiting + (name,))
        elif t == "structure":
            required = set(s.get("required", []))
            result = any(m not in required for m in s.get("members", {})) or any(
                self.differs(r["shape"], visiting + (name,)) for r in s.get("members", {}).values())
        else:
            result = False
        self.differs_memo[name] = result
        return result

    def struct_name(self, name, side):
        if side == "in" and "out" in self.sides.get(name, ()) and self.differs(name):
            return f"{name}Input"
        return name

    def ref(self, name, side):
        s = self.shapes[name]
        t = s["type"]
        if t == "structure":
            return self.struct_name(name, side)
        if t == "list":
            inner = self.ref(s["member"]["shape"], side)
            return f"readonly {inner}[]" if TS_IDENTIFIER.match(inner) else f"ReadonlyArray<{inner}>"
        if t == "map":
            key = self.ref(s["key"]["shape"], side)
            value = self.ref(s["value"]["shape"], side)
            if side == "in":
                return f"ReadonlyMap<{key}, {value}>"
            plain = f"{{ readonly [key: string]: {value} }}" if key == "string" else f"{{ readonly [K in {key}]?: {value} }}"
            return f"ReadonlyMap<{key}, {value}> | {plain}"
        if t == "string":
            if "enum" in s and side == "in":
                self.enums.add(name)
                return name
            return "string"
        if t in ("integer", "long", "float", "double"):
            return "number"
        if t == "boolean":
            return "boolean"
        if t == "timestamp":
            return "Date"
        if t == "blob":
            return "Uint8Array"
        raise SystemExit(f"shape {name}: no TypeScript type for {t}")

    def interface(self, name, side):
        s = self.shapes[name]
        ts_name = self.struct_name(name, side)
        if ts_name in RESERVED or not TS_IDENTIFIER.match(ts_name):
            raise SystemExit(f"shape {name}: {ts_name} cannot be a TypeScript interface name")
        members = s.get("members", {})
        if not members:
            return f"export type {ts_name} = Record<string, never>;\n"
        required = set(s.get("required", []))
        keys = set()
        lines = []
        for member, r in members.items():
            key = to_camel(member)
            if key in keys:
                raise SystemExit(f"shape {name}: two members named {key}")
            keys.add(key)
            t = self.ref(r["shape"], side)
            if member in required and not (side == "out" and (name, member) in OUTPUT_OPTIONAL):
                lines.append(f"  readonly {key}: {t};")
            elif side == "in":
                lines.append(f"  readonly {key}?: {t};")
            else:
                lines.append(f"  readonly {key}?: {t} | undefined;")
        return f"export interface {ts_name} {{\n" + "\n".join(lines) + "\n}\n"

    def declarations(self):
        out = []
        for name in sorted(self.sides):
            for side in ("out", "in"):
                if side not in self.sides[name]:
                    continue
                if side == "in" and "out" in self.sides[name] and not self.differs(name):
                    continue
                out.append(self.interface(name, side))
        for name in sorted(self.enums):
            if name in RESERVED or not TS_IDENTIFIER.match(name) or name in self.sides:
                raise SystemExit(f"shape {name}: cannot be a TypeScript type name")
            values = " | ".join(quote(v) for v in self.shapes[name]["enum"])
            out.append(f"export type {name} = {values};\n")
        return out


def typescript(service, rel, data):
    prefix = service[0].upper() + service[1:]
    types = Types(data)
    ops = []
    for name, o in data["operations"].items():
        inp = types.struct_name(o["input"], "in") if "input" in o else "Record<string, never>"
        out = o["output"] if "output" in o else "Record<string, never>"
        auth = "none" if o.get("authtype") == "none" else "sigv4"
        ops.append(f"  readonly {name}: {{ readonly input: {inp}; readonly output: {out}; readonly authentication: '{auth}' }};")
    header = (
        f"// Generated by scripts/extract-models.py from botocore {data['botocoreVersion']} data/{rel}/service-2.json:\n"
        "// do not edit. Regenerate with `python3 scripts/extract-models.py` (from the repository root).\n"
        "//\n"
        f"// The input and output of every {data['metadata']['serviceId']} operation as handlers see them: members\n"
        "// camelCase, lists as readonly arrays, timestamps as Date, blobs as Uint8Array, enums as their\n"
        "// values (src/protocol/parse-query.ts makes inputs, validate.ts checks them, render.ts takes outputs).\n"
    )
    body = [header, "\n",
            f"/** Each {data['metadata']['serviceId']} operation's input, output and authentication (the model's auth type). */\n",
            f"export interface {prefix}Operations {{\n", "\n".join(ops), "\n}\n"]
    for d in types.declarations():
        body.append("\n")
        body.append(d)
    return "".join(body)


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
        types = os.path.join(out_dir, f"{service}.types.ts")
        with open(types, "w", encoding="utf-8") as f:
            f.write(typescript(service, rel, data))
        print(f"{types}: types of {len(data['operations'])} operations", file=sys.stderr)


if __name__ == "__main__":
    main()
