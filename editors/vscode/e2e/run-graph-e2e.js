#!/usr/bin/env node
// End-to-end test of "Barrier Lint: Show Synchronization Graph" in a real VS Code workbench (code-server)
// driven through headless Chromium, with the workbench helpers of run-e2e.js. Run by
// tests/test_editor_vscode_graph.py; by hand:
//
//   PATH=<node24>/bin:$PATH node e2e/run-graph-e2e.js --code-server <bin> --vsix barrier-lint.vsix \
//       --playwright <dir holding node_modules/playwright-core> --screenshot out.png --work /tmp/x
//
// It opens e2e/graph-workspace/pipeline.yaml (two parallel stages taking two barriers in opposite orders,
// and a looping stage with maxConcurrency), runs the command and checks, in the webview's DOM:
//   1. the drawing (the SVG the server laid out) has every node of the graph and the two red deadlock
//      edges, drawn offline (no request leaves the machine, no Content Security Policy violation);
//   2. the pointer on a finding highlights its nodes and edges;
//   3. a click on a node selects its barrierRef value in the editor;
//   4. typing redraws (the deadlock edges go when the crossed order is undone, and come back on undo);
//   5. switching to another pipeline draws that one.
// It prints the time from the view's request to the drawing on the page (the first drawing, a redraw,
// and with --big FILE a large pipeline: when opened, and drawn again once the server has settled), and
// saves a screenshot of the editor with the graph beside it.
'use strict';

const fs = require('fs');
const path = require('path');
const {
  parseArgs, log, poll, assertEqual, prepareRun, openFile, goTo, waitForStatus, runCommand, saveFailureShot,
} = require('./run-e2e.js');

const FILE = 'pipeline.yaml';
const OTHER = 'clean.yaml';
const BIG = 'big.yaml';
const COMMAND = 'Barrier Lint: Show Synchronization Graph';
// The graph of pipeline.yaml (barrier-lint graph e2e/graph-workspace/pipeline.yaml --format json).
const NODES = ['config_pushed_gate', 'caches_warm_gate', 'caches_warm_gate', 'config_pushed_gate', 'regions_ready_gate',
  'config_pushed', 'caches_warm', 'regions_ready'];
const DEADLOCKS = ['L_n2_n3', 'L_n0_n1']; // caches_warm then config_pushed; config_pushed then caches_warm
const RED = 'rgb(208, 0, 0)';
const CLICKED = { id: 'n1', line: 37, column: 37, length: 'caches_warm'.length }; // config_service's 2nd step

/** The webview's inner frame: the one that holds the drawing's container. */
async function graphFrame(page, timeout) {
  return poll('the graph webview', async () => {
    for (const frame of page.frames()) {
      const found = await frame.evaluate(() => !!document.getElementById('graph') && !!document.getElementById('findings')).catch(() => false);
      if (found) return frame;
    }
    return null;
  }, timeout);
}

/** Waits for drawing number > `after`; returns what the DOM shows. */
async function drawn(frame, after, timeout) {
  return poll(`drawing after #${after}`, () => frame.evaluate((after) => {
    const number = Number(document.body.dataset.drawn || 0);
    if (number <= after) return null;
    const nodes = [...document.querySelectorAll('#graph g.node')].map((g) => g.textContent.trim());
    const deadlocks = [...document.querySelectorAll('#graph path[data-kind="deadlock"]')].map((p) => ({
      id: p.getAttribute('data-id').replace(/_\d+$/, ''), stroke: getComputedStyle(p).stroke,
    }));
    return { number, nodes, deadlocks, ms: Number(document.body.dataset.renderMs), page: Number(document.body.dataset.pageMs),
      status: document.getElementById('status').textContent,
      findings: [...document.querySelectorAll('#findings li')].map((li) => li.textContent) };
  }, after), timeout);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  args.workspace = args.workspace === path.join(__dirname, 'workspace') ? path.join(__dirname, 'graph-workspace') : args.workspace;
  const run = prepareRun(args);
  const { dirs, server } = run;
  if (args.big) fs.copyFileSync(args.big, path.join(dirs.workspace, BIG)); // a large pipeline, for the drawing time
  let page;
  try {
    const browser = await run.launch();
    const url = await server.start();
    const origin = new URL(url).host;
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    page.setDefaultTimeout(args.timeout);
    const violations = [];
    const offsite = [];
    page.on('console', (message) => {
      if (message.type() === 'error' && /graph|mermaid|webview/i.test(message.text())) log(`console: ${message.text()}`);
      if (/Content Security Policy|Refused to (load|execute|apply)/.test(message.text())) violations.push(message.text());
    });
    // What the view loads: its own frames' requests. Extension files come through VS Code's webview
    // service worker under *.vscode-resource.vscode-cdn.net (answered from the extension's folder, not
    // the network); anything else that is not the code-server origin would be the network.
    const viewLoads = [];
    page.on('request', (request) => {
      const frame = request.frame();
      if (!frame || !/webview/i.test(frame.url())) return;
      const target = new URL(request.url());
      if (target.host.endsWith('.vscode-resource.vscode-cdn.net')) {
        viewLoads.push(decodeURIComponent(target.pathname));
      } else if (/^https?:$/.test(target.protocol) && target.host !== origin) {
        offsite.push(request.url());
      }
    });
    await page.goto(`${url}/?folder=${encodeURIComponent(dirs.workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ state: 'visible' });
    await openFile(page, FILE);
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ state: 'attached', timeout: args.timeout });
    log(`${FILE} open and linted`);

    // 1. The drawing.
    await runCommand(page, COMMAND);
    const frame = await graphFrame(page, args.timeout);
    let shown = await drawn(frame, 0, args.timeout);
    const first = shown.ms;
    log(`drawn in ${shown.ms} ms: ${shown.status}`);
    assertEqual(JSON.stringify(shown.nodes.map((t) => t.split('\n')[0].replace(/one per iteration|Config Pushed|Caches Warm|Regions Ready/, '').trim()).sort()),
      JSON.stringify([...NODES].sort()), 'node labels in the drawing');
    assertEqual(JSON.stringify(shown.deadlocks.map((d) => d.id)), JSON.stringify(DEADLOCKS), 'deadlock edges');
    for (const edge of shown.deadlocks) assertEqual(edge.stroke, RED, `stroke of ${edge.id}`);
    assertEqual(shown.findings.length, 3, 'findings listed');
    if (!shown.findings[0].startsWith('BL205 line 37 (error): barriers are reached in conflicting orders')) throw new Error(`first finding: ${shown.findings[0]}`);

    // 2. The pointer on the first finding (BL205 at line 37) highlights its nodes and its edge.
    await frame.locator('#findings li').first().hover();
    const highlighted = await poll('highlighted nodes', () => frame.evaluate(() => {
      const ids = [...document.querySelectorAll('#graph .bl-highlight')].map((e) => e.dataset.graphId || e.dataset.edge);
      return ids.length ? ids.sort() : null;
    }), args.timeout);
    assertEqual(JSON.stringify(highlighted), JSON.stringify(['e9', 'n0', 'n1', 'n3']), 'highlighted by the first finding');
    log(`hover OK: ${highlighted.join(', ')}`);
    fs.mkdirSync(path.dirname(args.screenshot), { recursive: true });
    await page.screenshot({ path: args.screenshot });
    log(`screenshot: ${args.screenshot}`);
    await page.mouse.move(5, 500);

    // 3. A click on a node selects its barrierRef value.
    await frame.locator(`#graph g.node[data-graph-id="${CLICKED.id}"]`).click();
    await waitForStatus(page, `Ln ${CLICKED.line}, Col ${CLICKED.column + CLICKED.length} (${CLICKED.length} selected)`);
    log(`click OK: line ${CLICKED.line} selected`);

    // 4. Typing another barrier over the selection undoes the crossed order (what is left is an undeclared
    // barrier and single participants: no deadlock); the drawing follows, and undo brings it back.
    await page.keyboard.type('caches_cold');
    await page.keyboard.press('Escape'); // the completion list
    shown = await poll('the drawing without deadlocks', async () => {
      const now = await drawn(frame, shown.number, args.timeout);
      return now.deadlocks.length === 0 ? now : null;
    }, args.timeout);
    log(`redrawn after typing (#${shown.number}): ${shown.status}`);
    await page.keyboard.press('Control+Z');
    shown = await poll('the deadlocks back after undo', async () => {
      const now = await drawn(frame, shown.number, args.timeout);
      return now.deadlocks.length === 2 ? now : null;
    }, args.timeout);
    log(`redrawn after undo (#${shown.number}) in ${shown.ms} ms`);

    // 5. Another pipeline in the editor: the view draws that one.
    await openFile(page, OTHER);
    shown = await poll(`the drawing of ${OTHER}`, async () => {
      const now = await drawn(frame, shown.number, args.timeout);
      return now.status.startsWith(OTHER) ? now : null;
    }, args.timeout);
    const redraw = shown.ms;
    assertEqual(shown.deadlocks.length, 0, `deadlock edges in ${OTHER}`);
    if (!shown.nodes.some((t) => t.includes('wait_for_web'))) throw new Error(`${OTHER} nodes: ${shown.nodes}`);
    log(`follows the active editor: ${shown.status}`);

    // 6. With --big FILE: the time the view takes to draw a large pipeline (bench/bench_graph.py's 2k case).
    let big = '';
    if (args.big) {
      await openFile(page, BIG);
      shown = await poll(`the drawing of ${BIG}`, async () => {
        const now = await drawn(frame, shown.number, args.timeout);
        return now.status.startsWith(BIG) ? now : null;
      }, args.timeout);
      big = `GRAPH_BIG_DRAW_MS ${shown.ms} (${shown.nodes.length} nodes; the page's part: ${shown.page} ms)`;
      log(`${BIG}: ${shown.status}`);
      // Drawn again once the server has analysed it and answered the editor's own requests on opening
      // (code lenses, symbols, ...): the time the view itself takes, request to drawing.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      await runCommand(page, COMMAND);
      shown = await drawn(frame, shown.number, args.timeout);
      big += `\nGRAPH_BIG_REDRAW_MS ${shown.ms} (the page's part: ${shown.page} ms)`;
      log(`${BIG} again: ${shown.status}`);
    }

    assertEqual(JSON.stringify(violations), '[]', 'Content Security Policy violations');
    assertEqual(JSON.stringify(offsite), '[]', 'requests off the machine');
    const outside = viewLoads.filter((p) => !p.includes('/barrier-lint.barrier-lint-'));
    assertEqual(JSON.stringify(outside), '[]', 'view resources from outside the extension');
    if (!viewLoads.some((p) => p.endsWith('/media/graphView.js'))) throw new Error(`view loads: ${viewLoads}`);
    log(`offline OK: the view loaded ${viewLoads.map((p) => p.split('/barrier-lint.barrier-lint-0.1.0/')[1]).join(', ')}`);
    console.log(`GRAPH_FIRST_DRAW_MS ${first}`);
    console.log(`GRAPH_REDRAW_MS ${redraw}`);
    if (big) console.log(big);
    console.log('E2E PASSED');
  } catch (err) {
    await saveFailureShot(page, args.work);
    throw err;
  } finally {
    await run.cleanup();
  }
}

main().catch((err) => {
  console.error(`E2E FAILED: ${err && err.stack ? err.stack : err}`);
  process.exit(1);
});
