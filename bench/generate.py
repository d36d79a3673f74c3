"""Generated Harness pipelines of a chosen size, for the benchmarks (shared by the CLI and server benches)."""

from __future__ import annotations


def pipeline(target_lines: int, barriers_per_block: int = 2) -> str:
    """A realistic release pipeline of about `target_lines` lines: blocks of parallel Deployment stages,
    each with a rolling deploy, a step group and Barrier steps shared across the block."""
    head = [
        "pipeline:",
        "  name: Generated Release",
        "  identifier: generated_release",
        "  projectIdentifier: bench",
        "  orgIdentifier: default",
        "  flowControl:",
        "    barriers:",
    ]
    blocks: list[str] = []
    declarations: list[str] = []
    block = 0
    while len(head) + len(declarations) + len(blocks) < target_lines:
        refs = [f"block{block}_gate{i}" for i in range(barriers_per_block)]
        for ref in refs:
            declarations += [f"      - name: {ref}", f"        identifier: {ref}"]
        blocks.append("    - parallel:")
        for lane in range(3):
            sid = f"b{block}_lane{lane}"
            blocks += [
                "        - stage:",
                f"            name: Deploy {sid}",
                f"            identifier: {sid}",
                "            type: Deployment",
                "            spec:",
                "              deploymentType: Kubernetes",
                "              service:",
                f"                serviceRef: svc_{lane}",
                "              environment:",
                "                environmentRef: production",
                "                infrastructureDefinitions:",
                "                  - identifier: prod_k8s",
                "              execution:",
                "                steps:",
                "                  - step:",
                "                      type: K8sRollingDeploy",
                "                      name: Rolling Deploy",
                "                      identifier: rolling",
                "                      spec:",
                "                        skipDryRun: false",
                "                      timeout: 10m",
                "                  - stepGroup:",
                "                      name: Verify",
                "                      identifier: verify",
                "                      steps:",
                "                        - step:",
                "                            type: ShellScript",
                "                            name: Smoke",
                "                            identifier: smoke",
                "                            spec:",
                "                              shell: Bash",
                "                              source:",
                "                                type: Inline",
                "                                spec:",
                '                                  script: "curl -fsS https://example.com/health # check"',
                "                            timeout: 5m",
            ]
            for i, ref in enumerate(refs):
                blocks += [
                    "                  - step:",
                    "                      type: Barrier",
                    f"                      name: Gate {i}",
                    f"                      identifier: gate_{i}",
                    "                      spec:",
                    f"                        barrierRef: {ref}",
                    "                      timeout: 30m",
                ]
            blocks += [
                "                rollbackSteps:",
                "                  - step:",
                "                      type: K8sRollingRollback",
                "                      name: Rollback",
                "                      identifier: rollback",
                "                      spec: {}",
                "                      timeout: 10m",
            ]
        block += 1
    return "\n".join(head + declarations + ["  stages:"] + blocks) + "\n"
