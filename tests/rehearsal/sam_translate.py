"""Expands the SAM template into plain CloudFormation with aws-sam-translator, the library SAM
itself deploys with, so the rehearsal runs what CloudFormation would run.

SAM packages each function's CodeUri (a local folder) into S3 before translating; here each one is
given an S3 location of its own instead, and the folder and binary it stands for are written
beside the translated template (the `Rehearsal` key), for the rehearsal to run that crate's
binary.

usage: sam_translate.py TEMPLATE.yaml OUT.json   (run with the SAM CLI's venv: infra/.venv-sam)
"""

import json
import os
import sys

from samcli.yamlhelper import yaml_parse
from samtranslator.translator.transform import transform


class NoManagedPolicies:
    """The template names managed policies by ARN only; nothing needs looking up in IAM."""

    def load(self):
        return {}


def main():
    source, out = sys.argv[1], sys.argv[2]
    base = os.path.dirname(os.path.abspath(source))
    with open(source, encoding="utf-8") as f:
        template = yaml_parse(f.read())
    code = {}
    for name, resource in template.get("Resources", {}).items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        uri = resource["Properties"].get("CodeUri")
        if isinstance(uri, str) and not uri.startswith("s3://"):
            binary = ((resource.get("Metadata") or {}).get("BuildProperties") or {}).get("Binary")
            code[name] = {"path": os.path.normpath(os.path.join(base, uri)), "binary": binary}
            resource["Properties"]["CodeUri"] = f"s3://rehearsal-artifacts/{name}.zip"
    # The region the rehearsal runs the stack in (pseudo parameters are filled from it).
    os.environ.setdefault("AWS_DEFAULT_REGION", "ap-northeast-1")
    translated = transform(template, {}, NoManagedPolicies())
    translated["Rehearsal"] = {"code": code}
    with open(out, "w", encoding="utf-8") as f:
        json.dump(translated, f, indent=1)


if __name__ == "__main__":
    main()
