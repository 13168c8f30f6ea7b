#!/usr/bin/env python3
"""Writes synthetic Kustomize repositories for the scale benchmarks (scripts/bench-scale.sh).

Three shapes, each deterministic: the same arguments (and --seed) always give the same bytes.

monorepo OUT --overlays N [--seed S]
    A monorepo shaped like the reference deployment (kustomize/), N overlays over a few shared
    bases:

    OUT/bases/redis/           the reference base (kustomize/base/databases), copied
    OUT/bases/cache-warmer/    a Deployment and a Service, a configMapGenerator reading a file
    OUT/bases/network/         a default-deny NetworkPolicy
    OUT/components/observability/  a Component: labels, an annotation patch (JSON6902) on the
                               ServiceMonitor, a strategic-merge patch on the exporter
    OUT/components/tuning/     a Component: a configMapGenerator `behavior: merge` into the
                               cache-warmer ConfigMap
    OUT/services/svc-NNNN/{dev-lab,prod-lab}/   the overlays (N in all, alternating): the
                               reference overlay of that environment (its strategic-merge patch
                               files, its inline and target patches, dev-lab's secretGenerator)
                               over bases/redis, bases/cache-warmer and (seeded) bases/network,
                               with (seeded) components, per-service labels, a per-service
                               configMapGenerator literal and a replicas entry.

    The overlays' directory names are the environments, so the bundled policy applies to each.

files OUT --files N
    One kustomization listing N resource files, a ConfigMap each (the accumulation path).

diamond OUT --depth D
    level-0 holds one ConfigMap; level-k (k = 1..D) lists level-(k-1)-a and level-(k-1)-b, two
    thin kustomizations over level-(k-1) that add a label each. Built naively that is 2^D builds
    of level-0; kubectl refuses it (the ConfigMap is reached twice: a duplicate id), and so must
    grill-lint, with the same verdict, in linear time.

Prints the directory to build (monorepo: OUT, whose overlays grill-lint finds itself; files,
diamond: the top kustomization). Standard library only.
"""

import argparse
import pathlib
import random
import shutil
import sys

REPO = pathlib.Path(__file__).resolve().parent.parent
REFERENCE = REPO / "kustomize"


def write(path: pathlib.Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


CACHE_WARMER = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: cache-warmer
  labels:
    app.kubernetes.io/name: cache-warmer
spec:
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: cache-warmer
  template:
    metadata:
      labels:
        app.kubernetes.io/name: cache-warmer
    spec:
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
      containers:
        - name: warmer
          image: ghcr.io/grill-stats/cache-warmer:1.4.2
          args: ["--config", "/etc/warmer/warmer.properties"]
          resources:
            requests:
              cpu: 50m
              memory: 64Mi
            limits:
              memory: 128Mi
          volumeMounts:
            - name: config
              mountPath: /etc/warmer
      volumes:
        - name: config
          configMap:
            name: cache-warmer-config
---
apiVersion: v1
kind: Service
metadata:
  name: cache-warmer
  labels:
    app.kubernetes.io/name: cache-warmer
spec:
  selector:
    app.kubernetes.io/name: cache-warmer
  ports:
    - name: http
      port: 8080
"""

NETWORK = """apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-ingress
spec:
  podSelector: {}
  policyTypes:
    - Ingress
"""


def write_bases(out: pathlib.Path) -> None:
    shutil.copytree(REFERENCE / "base" / "databases", out / "bases" / "redis")
    cw = out / "bases" / "cache-warmer"
    write(cw / "cache-warmer.yaml", CACHE_WARMER)
    write(cw / "warmer.properties", "redis.host=redis\nredis.port=6379\nwarm.interval=300s\n")
    write(
        cw / "kustomization.yaml",
        """apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - cache-warmer.yaml
configMapGenerator:
  - name: cache-warmer-config
    files:
      - warmer.properties
labels:
  - pairs:
      app.kubernetes.io/part-of: grill-stats
""",
    )
    net = out / "bases" / "network"
    write(net / "default-deny.yaml", NETWORK)
    write(net / "kustomization.yaml", "resources:\n  - default-deny.yaml\n")

    obs = out / "components" / "observability"
    write(
        obs / "kustomization.yaml",
        """apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
labels:
  - pairs:
      grill-stats/observed: "true"
patches:
  - target:
      kind: ServiceMonitor
      name: redis
    patch: |-
      - op: add
        path: /metadata/annotations
        value:
          grill-stats/dashboard: redis
  - path: warmer-metrics.yaml
""",
    )
    write(
        obs / "warmer-metrics.yaml",
        """apiVersion: apps/v1
kind: Deployment
metadata:
  name: cache-warmer
spec:
  template:
    metadata:
      annotations:
        prometheus.io/scrape: "true"
        prometheus.io/port: "8080"
""",
    )
    tuning = out / "components" / "tuning"
    write(
        tuning / "kustomization.yaml",
        """apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
configMapGenerator:
  - name: cache-warmer-config
    behavior: merge
    literals:
      - warm.batch=500
""",
    )


def overlay_kustomization(env: str, svc: str, rng: random.Random, depth: str) -> str:
    """The reference overlay's kustomization.yaml, re-pointed at the shared bases and extended."""
    text = (REFERENCE / "overlays" / env / "kustomization.yaml").read_text()
    bases = [f"{depth}bases/redis", f"{depth}bases/cache-warmer"]
    if rng.random() < 0.5:
        bases.append(f"{depth}bases/network")
    text = text.replace(
        "resources:\n  - ../../base/databases\n",
        "resources:\n" + "".join(f"  - {b}\n" for b in bases),
    )
    text = text.replace(
        f"      grill-stats/environment: {env}\n",
        f"      grill-stats/environment: {env}\n      grill-stats/service: {svc}\n",
    )
    comps = [c for c in ("observability", "tuning") if rng.random() < 0.6]
    if comps:
        text += "\ncomponents:\n" + "".join(f"  - {depth}components/{c}\n" for c in comps)
    text += f"""
configMapGenerator:
  - name: {svc}-settings
    literals:
      - service={svc}
      - shard={rng.randrange(64)}
"""
    text = text.replace(
        "replicas:\n",
        f"replicas:\n  - name: cache-warmer\n    count: {1 + rng.randrange(3)}\n",
    )
    return text


def monorepo(out: pathlib.Path, overlays: int, seed: int) -> pathlib.Path:
    rng = random.Random(seed)
    write_bases(out)
    envs = ["dev-lab", "prod-lab"]
    for i in range(overlays):
        svc = f"svc-{i // 2:04d}"
        env = envs[i % 2]
        d = out / "services" / svc / env
        src = REFERENCE / "overlays" / env
        for f in sorted(src.iterdir()):
            if f.name != "kustomization.yaml":
                write(d / f.name, f.read_text())
        write(d / "kustomization.yaml", overlay_kustomization(env, svc, rng, "../../../"))
    return out


def files(out: pathlib.Path, n: int) -> pathlib.Path:
    names = []
    for i in range(n):
        name = f"cm-{i:05d}.yaml"
        write(
            out / "resources" / name,
            f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i:05d}\ndata:\n  index: \"{i}\"\n",
        )
        names.append(f"  - resources/{name}\n")
    write(out / "kustomization.yaml", "resources:\n" + "".join(names))
    return out


def diamond(out: pathlib.Path, depth: int) -> pathlib.Path:
    write(
        out / "level-0" / "cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bottom\ndata:\n  a: \"1\"\n",
    )
    write(out / "level-0" / "kustomization.yaml", "resources:\n  - cm.yaml\n")
    for k in range(1, depth + 1):
        below = f"level-{k - 1}"
        for side in ("a", "b"):
            write(
                out / f"{below}-{side}" / "kustomization.yaml",
                f"resources:\n  - ../{below}\nlabels:\n  - pairs:\n      side-{k - 1}: {side}\n",
            )
        write(
            out / f"level-{k}" / "kustomization.yaml",
            f"resources:\n  - ../{below}-a\n  - ../{below}-b\n",
        )
    return out / f"level-{depth}"


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("shape", choices=["monorepo", "files", "diamond"])
    ap.add_argument("out", type=pathlib.Path, help="output directory (replaced)")
    ap.add_argument("--overlays", type=int, default=10)
    ap.add_argument("--files", type=int, default=10000)
    ap.add_argument("--depth", type=int, default=20)
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()
    if min(args.overlays, args.files, args.depth) < 1:
        ap.error("--overlays, --files and --depth must be at least 1")
    if args.out.exists():
        shutil.rmtree(args.out)
    args.out.mkdir(parents=True)
    if args.shape == "monorepo":
        target = monorepo(args.out, args.overlays, args.seed)
    elif args.shape == "files":
        target = files(args.out, args.files)
    else:
        target = diamond(args.out, args.depth)
    print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
