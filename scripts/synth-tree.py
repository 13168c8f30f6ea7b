#!/usr/bin/env python3
"""Writes a large synthetic Kustomize tree for render benchmarks.

The tree has the shape of tests/fixtures/kustomize-cases/synthetic-200, scaled:

    OUT/base/                 N objects: per group of 5, a StatefulSet, a headless Service and a
                              NetworkPolicy (one file), a generated ConfigMap (from a redis.conf
                              file) and a generated Secret (literals)
    OUT/overlays/level-1..D   an overlay chain: level-1 lists ../../base, level-k lists
                              ../level-(k-1); each level adds its own namePrefix, labels and
                              annotations; level 1 also sets namespace and images. The M patches
                              (half strategic merge, half JSON6902) are spread over the levels.

The build target is OUT/overlays/level-D; its path is printed on stdout. Deterministic: the
same arguments always give the same files. Standard library only.

usage: synth-tree.py OUT [--resources N] [--patches M] [--depth D]
"""

import argparse
import pathlib
import shutil
import sys


def group_yaml(i: int) -> str:
    name = f"redis{i:03d}"
    return f"""apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {name}
spec:
  serviceName: {name}-headless
  replicas: 1
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      containers:
      - name: redis
        image: redis:7.2
        env:
        - name: PW
          valueFrom: {{secretKeyRef: {{name: {name}-auth, key: password}}}}
        volumeMounts: [{{name: config, mountPath: /etc/redis}}]
      - name: exporter
        image: oliver006/redis_exporter:v1.55.0
      volumes:
      - name: config
        configMap: {{name: {name}-config}}
  volumeClaimTemplates:
  - metadata: {{name: data}}
    spec: {{accessModes: [ReadWriteOnce], resources: {{requests: {{storage: 1Gi}}}}}}
---
apiVersion: v1
kind: Service
metadata:
  name: {name}-headless
spec:
  clusterIP: None
  selector: {{app: {name}}}
  ports: [{{name: redis, port: 6379}}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {name}
spec:
  podSelector:
    matchLabels: {{app: {name}}}
  ingress:
  - from: [{{podSelector: {{matchLabels: {{access: {name}}}}}}}]
"""


def write_base(base: pathlib.Path, groups: int) -> None:
    base.mkdir(parents=True)
    resources, cms, secrets = [], [], []
    for i in range(groups):
        name = f"redis{i:03d}"
        (base / f"{name}.yaml").write_text(group_yaml(i))
        (base / f"{name}.conf").write_text(
            f"maxmemory {64 + i}mb\nmaxmemory-policy allkeys-lru\nappendonly yes\n"
        )
        resources.append(f"- {name}.yaml")
        cms.append(f"- name: {name}-config\n  files: [redis.conf={name}.conf]")
        secrets.append(f"- name: {name}-auth\n  literals: [password=pw{i}]")
    text = "resources:\n" + "\n".join(resources) + "\n"
    text += "configMapGenerator:\n" + "\n".join(cms) + "\n"
    text += "secretGenerator:\n" + "\n".join(secrets) + "\n"
    (base / "kustomization.yaml").write_text(text)


def patch_entry(n: int, groups: int) -> str:
    """Patch number n: even ones strategic merge, odd ones JSON6902, on a spread of objects."""
    name = f"redis{(n * 7) % groups:03d}"
    if n % 2 == 0:
        return f"""- patch: |-
    apiVersion: apps/v1
    kind: StatefulSet
    metadata: {{name: {name}}}
    spec:
      template:
        spec:
          containers:
          - name: redis
            resources: {{limits: {{memory: {256 + n}Mi}}}}"""
    return f"""- target: {{kind: StatefulSet, name: {name}}}
  patch: |-
    - op: replace
      path: /spec/replicas
      value: {1 + n % 5}
    - op: add
      path: /metadata/annotations/patch-{n}
      value: applied"""


def write_overlays(out: pathlib.Path, groups: int, patches: int, depth: int) -> pathlib.Path:
    per_level = [patches // depth + (1 if k < patches % depth else 0) for k in range(depth)]
    n = 0
    level_dir = out
    for level in range(1, depth + 1):
        level_dir = out / "overlays" / f"level-{level}"
        level_dir.mkdir(parents=True)
        parent = "../../base" if level == 1 else f"../level-{level - 1}"
        lines = [f"resources: [{parent}]", f"namePrefix: l{level}-"]
        if level == 1:
            lines += [
                "namespace: redis-synth",
                "images:",
                "- name: redis",
                "  newTag: 7.2.4",
            ]
        lines += [
            "labels:",
            f"- pairs: {{level: \"{level}\"}}",
            "  includeSelectors: true",
            f"commonAnnotations: {{synth-level: \"{level}\"}}",
        ]
        entries = []
        for _ in range(per_level[level - 1]):
            entries.append(patch_entry(n, groups))
            n += 1
        if entries:
            lines.append("patches:")
            lines += entries
        (level_dir / "kustomization.yaml").write_text("\n".join(lines) + "\n")
    return level_dir


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=pathlib.Path, help="output directory (replaced)")
    ap.add_argument("--resources", type=int, default=200, help="objects in the base (multiple of 5)")
    ap.add_argument("--patches", type=int, default=20, help="patches over the whole chain")
    ap.add_argument("--depth", type=int, default=1, help="overlays in the chain")
    args = ap.parse_args()
    if args.resources < 5 or args.depth < 1 or args.patches < 0:
        ap.error("need --resources >= 5, --depth >= 1, --patches >= 0")
    groups = args.resources // 5
    if args.out.exists():
        shutil.rmtree(args.out)
    write_base(args.out / "base", groups)
    target = write_overlays(args.out, groups, args.patches, args.depth)
    print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
