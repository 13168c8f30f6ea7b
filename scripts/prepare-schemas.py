#!/usr/bin/env python3
"""Prepares the bundled Kubernetes schemas (schemas/kubernetes/vX.Y.json) for k8s/schema.

Inputs (see schemas/kubernetes/README.md for the pinned versions and where they come from):
  --kv DIR     the unpacked kubernetes-validate wheel (its kubernetes_validate/ directory)
  --crd FILE   a prometheus-operator CRD YAML (repeatable)
  --version    the Kubernetes minor version, e.g. 1.32

Output: one minified JSON file {"version", "origin", "kinds": {"<apiVersion>/<Kind>": def},
"defs": {name: schema}} holding only the kinds listed in KINDS and the definitions they reach,
with descriptions and x-kubernetes-* annotations removed and every $ref a bare definition name.
CRD schemas are made strict the way the API server treats them: an object schema with
`properties` and no `x-kubernetes-preserve-unknown-fields` gets `additionalProperties: false`
(the server prunes or, with strict field validation, refuses unknown fields), every type admits
null (the server drops nulls of non-nullable fields), `x-kubernetes-int-or-string` becomes the
same string-or-integer `oneOf` the built-in schemas use, and `metadata` is ObjectMeta.
"""
import argparse
import json
import os
import sys

import yaml

# (file stem in kubernetes-validate, apiVersion, kind)
KINDS = [
    ("service-v1", "v1", "Service"),
    ("configmap-v1", "v1", "ConfigMap"),
    ("secret-v1", "v1", "Secret"),
    ("persistentvolumeclaim-v1", "v1", "PersistentVolumeClaim"),
    ("persistentvolume-v1", "v1", "PersistentVolume"),
    ("serviceaccount-v1", "v1", "ServiceAccount"),
    ("namespace-v1", "v1", "Namespace"),
    ("pod-v1", "v1", "Pod"),
    ("limitrange-v1", "v1", "LimitRange"),
    ("resourcequota-v1", "v1", "ResourceQuota"),
    ("statefulset-apps-v1", "apps/v1", "StatefulSet"),
    ("deployment-apps-v1", "apps/v1", "Deployment"),
    ("daemonset-apps-v1", "apps/v1", "DaemonSet"),
    ("replicaset-apps-v1", "apps/v1", "ReplicaSet"),
    ("job-batch-v1", "batch/v1", "Job"),
    ("cronjob-batch-v1", "batch/v1", "CronJob"),
    ("networkpolicy-networking-v1", "networking.k8s.io/v1", "NetworkPolicy"),
    ("ingress-networking-v1", "networking.k8s.io/v1", "Ingress"),
    ("poddisruptionbudget-policy-v1", "policy/v1", "PodDisruptionBudget"),
    ("role-rbac-v1", "rbac.authorization.k8s.io/v1", "Role"),
    ("rolebinding-rbac-v1", "rbac.authorization.k8s.io/v1", "RoleBinding"),
    ("clusterrole-rbac-v1", "rbac.authorization.k8s.io/v1", "ClusterRole"),
    ("clusterrolebinding-rbac-v1", "rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
    ("horizontalpodautoscaler-autoscaling-v2", "autoscaling/v2", "HorizontalPodAutoscaler"),
    ("priorityclass-scheduling-v1", "scheduling.k8s.io/v1", "PriorityClass"),
    ("storageclass-storage-v1", "storage.k8s.io/v1", "StorageClass"),
]

OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
KEEP = {"type", "properties", "additionalProperties", "required", "items", "enum", "oneOf",
        "anyOf", "$ref", "pattern", "minimum", "maximum", "minLength", "maxLength", "minItems",
        "maxItems"}


def clean(s):
    """Drops documentation and annotations; rewrites refs to bare definition names."""
    if isinstance(s, list):
        return [clean(x) for x in s]
    if not isinstance(s, dict):
        return s
    out = {}
    for k, v in s.items():
        if k == "$ref":
            out[k] = v.rsplit("/", 1)[-1]
        elif k == "properties":
            out[k] = {name: clean(p) for name, p in v.items()}
        elif k in KEEP:
            out[k] = clean(v)
    return out


def refs(s, acc):
    if isinstance(s, dict):
        for k, v in s.items():
            if k == "$ref":
                acc.add(v)
            elif k == "properties":
                for p in v.values():
                    refs(p, acc)
            else:
                refs(v, acc)
    elif isinstance(s, list):
        for x in s:
            refs(x, acc)


def nullable(t):
    ts = t if isinstance(t, list) else [t]
    return ts if "null" in ts else ts + ["null"]


def strict_crd(s):
    """An openAPIV3Schema as the API server applies it to a custom resource (see above)."""
    if isinstance(s, list):
        return [strict_crd(x) for x in s]
    if not isinstance(s, dict):
        return s
    if s.get("x-kubernetes-int-or-string"):
        return {"oneOf": [{"type": ["string", "null"]}, {"type": ["integer", "null"]}]}
    out = {}
    for k, v in s.items():
        if k == "properties":
            out[k] = {name: strict_crd(p) for name, p in v.items()}
        elif k == "type":
            out[k] = nullable(v)
        elif k in KEEP:
            out[k] = strict_crd(v)
    if (s.get("type") == "object" and "properties" in s
            and not s.get("x-kubernetes-preserve-unknown-fields")
            and "additionalProperties" not in s):
        out["additionalProperties"] = False
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kv", required=True)
    ap.add_argument("--crd", action="append", default=[])
    ap.add_argument("--version", required=True)
    ap.add_argument("--kv-version", required=True, help="the kubernetes-validate release")
    ap.add_argument("--crd-origin", default="")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    base = os.path.join(a.kv, "kubernetes-json-schema", f"v{a.version}.0-local-strict")
    all_defs = json.load(open(os.path.join(base, "_definitions.json")))["$defs"]
    kinds, defs = {}, {}
    for stem, api, kind in KINDS:
        root = json.load(open(os.path.join(base, stem + ".json")))
        name = f"root:{api}/{kind}"
        defs[name] = clean(root)
        kinds[f"{api}/{kind}"] = name
    for path in a.crd:
        for doc in yaml.safe_load_all(open(path)):
            if not doc or doc.get("kind") != "CustomResourceDefinition":
                continue
            group = doc["spec"]["group"]
            kind = doc["spec"]["names"]["kind"]
            for v in doc["spec"]["versions"]:
                if not v.get("served"):
                    continue
                api = f"{group}/{v['name']}"
                s = strict_crd(v["schema"]["openAPIV3Schema"])
                s["properties"]["apiVersion"] = {"type": ["string", "null"], "enum": [api]}
                s["properties"]["kind"] = {"type": ["string", "null"], "enum": [kind]}
                s["properties"]["metadata"] = {"$ref": OBJECT_META}
                s["additionalProperties"] = False
                name = f"root:{api}/{kind}"
                defs[name] = s
                kinds[f"{api}/{kind}"] = name
    todo = set()
    refs(defs, todo)
    while todo:
        n = todo.pop()
        if n in defs:
            continue
        if n not in all_defs:
            sys.exit(f"unresolved $ref {n}")
        defs[n] = clean(all_defs[n])
        more = set()
        refs(defs[n], more)
        todo |= more - defs.keys()
    bundle = {
        "version": a.version,
        "origin": f"kubernetes-validate {a.kv_version} (v{a.version}.0-local-strict); {a.crd_origin}",
        "kinds": dict(sorted(kinds.items())),
        "defs": dict(sorted(defs.items())),
    }
    with open(a.out, "w") as f:
        json.dump(bundle, f, separators=(",", ":"), sort_keys=False)
        f.write("\n")
    print(f"{a.out}: {len(kinds)} kinds, {len(defs)} definitions, {os.path.getsize(a.out)} bytes")


if __name__ == "__main__":
    main()
