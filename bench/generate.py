"""Generated Harness pipelines of a chosen size, for the benchmarks (shared by the CLI and server benches)."""

from __future__ import annotations


def pipeline(target_lines: int, barriers_per_block: int = 2, barrier_every: int = 1) -> str:
    """A realistic release pipeline of about `target_lines` lines: blocks of parallel Deployment stages,
    each with a rolling deploy, a step group and Barrier steps shared across the block (only in every
    `barrier_every`-th block; the others have none)."""
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
        refs = [f"block{block}_gate{i}" for i in range(barriers_per_block if block % barrier_every == 0 else 0)]
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


def template_repository(folder, pipelines: int = 2000, templates: int = 500, hot: int = 0, distinct: bool = False) -> None:
    """A `.harness/` repository under `folder`: `templates` templates nested up to three deep (stage
    templates holding a step-group template holding a Barrier step template) and `pipelines` pipelines, each
    running two uses of a stage template in parallel with the barrier filled in through templateInputs.
    The first `hot` pipelines use `stage_0` (so `group_0` and `wait_0`) in their first stage: a template
    that many pipelines share, as the server benchmark edits. With `distinct`, each pipeline declares and
    fills in a barrier of its own, so that no two uses of the repository are alike."""
    import pathlib

    root = pathlib.Path(folder) / ".harness"
    (root / "templates").mkdir(parents=True, exist_ok=True)
    (root / "pipelines").mkdir(parents=True, exist_ok=True)
    steps, groups = max(1, templates // 5), max(1, 2 * templates // 5)
    stages = max(1, templates - steps - groups)
    for i in range(steps):
        (root / "templates" / f"wait_{i}.yaml").write_text(
            f'template:\n  name: Wait {i}\n  identifier: wait_{i}\n  versionLabel: "1"\n  type: Step\n'
            "  spec:\n    type: Barrier\n    spec:\n      barrierRef: <+input>\n    timeout: 30m\n"
        )
    for i in range(groups):
        (root / "templates" / f"group_{i}.yaml").write_text(
            f'template:\n  name: Group {i}\n  identifier: group_{i}\n  versionLabel: "1"\n  type: StepGroup\n'
            "  spec:\n    stageType: Deployment\n    steps:\n"
            "      - step:\n          name: Prepare\n          identifier: prepare\n          type: ShellScript\n"
            "          spec: {shell: Bash, source: {type: Inline, spec: {script: echo ready}}}\n"
            f"      - step:\n          name: Wait\n          identifier: wait\n          template:\n"
            f'            templateRef: wait_{i % steps}\n            versionLabel: "1"\n'
            "            templateInputs:\n              type: Barrier\n              spec:\n"
            "                barrierRef: <+input>\n"
        )
    for i in range(stages):
        (root / "templates" / f"stage_{i}.yaml").write_text(
            f'template:\n  name: Stage {i}\n  identifier: stage_{i}\n  versionLabel: "1"\n  type: Stage\n'
            "  spec:\n    type: Deployment\n    spec:\n      execution:\n        steps:\n"
            "          - step:\n              name: Deploy\n              identifier: deploy\n"
            "              type: K8sRollingDeploy\n              spec: {skipDryRun: false}\n              timeout: 10m\n"
            f"          - stepGroup:\n              name: Gate\n              identifier: gate\n"
            f'              template:\n                templateRef: group_{i % groups}\n                versionLabel: "1"\n'
            "                templateInputs:\n                  steps:\n                    - step:\n"
            "                        identifier: wait\n                        template:\n"
            "                          templateInputs:\n                            spec:\n"
            "                              barrierRef: <+input>\n"
        )
    for p in range(pipelines):
        barrier = f"deployed_{p}" if distinct else "deployed"
        uses = []
        for lane in ("api", "web"):
            uses.append(
                f"        - stage:\n            name: Deploy {lane}\n            identifier: deploy_{lane}\n"
                f'            template:\n              templateRef: stage_{0 if p < hot and not uses else (p + len(uses)) % stages}\n'
                '              versionLabel: "1"\n              templateInputs:\n                type: Deployment\n'
                "                spec:\n                  execution:\n                    steps:\n"
                "                      - stepGroup:\n                          identifier: gate\n"
                "                          template:\n                            templateInputs:\n"
                "                              steps:\n                                - step:\n"
                "                                    identifier: wait\n                                    template:\n"
                "                                      templateInputs:\n                                        spec:\n"
                f"                                          barrierRef: {barrier}\n"
            )
        (root / "pipelines" / f"release_{p}.yaml").write_text(
            f"pipeline:\n  name: Release {p}\n  identifier: release_{p}\n  flowControl:\n    barriers:\n"
            f"      - name: Deployed\n        identifier: {barrier}\n  stages:\n    - parallel:\n" + "".join(uses)
        )


def one_line_pipeline(stages: int = 1000) -> str:
    """A whole pipeline written on one line in flow style (what a generator or a minifier writes): one
    declared barrier nobody uses (BL105) and `stages` parallel stages, each waiting on an undeclared barrier
    (BL101 each). 1,000 stages: about 156 KB on one line, 1,001 findings."""
    stage = (
        "{{stage: {{identifier: stage_{i}, type: Custom, spec: {{execution: "
        "{{steps: [{{step: {{type: Barrier, identifier: wait_{i}, spec: {{barrierRef: gate_{i}}}}}}}]}}}}}}}}"
    )
    body = ", ".join(stage.format(i=i) for i in range(stages))
    return (
        "pipeline: {identifier: one_line, name: One line, projectIdentifier: p, orgIdentifier: o, "
        "flowControl: {barriers: [{name: Unused, identifier: unused}]}, "
        f"stages: [{{parallel: [{body}]}}]}}\n"
    )
