#!/usr/bin/env node
// Renders Mermaid files with the real mermaid library (the npm package's dist bundle) in Debian's
// Chromium, driven by playwright-core: mermaid-cli would download a browser of its own, which fails here.
// Used by tests/test_graph_renderers.py, bench/bench_graph.py and for the images in docs/images.
//
//   node tests/graph/render_mermaid.js --modules <dir holding node_modules/{mermaid,playwright-core}> \
//       [--chromium /usr/bin/chromium] [--png out.png] [--svg out.svg] [--scale 2] [--width 1200] in.mmd [more.mmd ...]
//
// Prints one JSON line per input: {file, ok, ms, cpu_ms, svg | error}: `ms` is the time mermaid.render
// took in the page (parse + layout + SVG), `cpu_ms` the page's main-thread CPU time meanwhile (a little
// more: it includes inserting the drawing into the page), `svg` the drawing. With --png / --svg, the first drawing is also saved
// as a screenshot (at --scale device pixels per CSS pixel) / as its SVG.
'use strict';

const fs = require('fs');
const path = require('path');

function parseArgs(argv) {
  const args = { files: [], chromium: '/usr/bin/chromium', width: 1200 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith('--')) {
      args[argv[i].slice(2)] = argv[++i];
    } else {
      args.files.push(argv[i]);
    }
  }
  if (!args.modules) throw new Error('missing --modules');
  return args;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const { chromium } = require(path.join(args.modules, 'node_modules', 'playwright-core'));
  const bundle = path.join(args.modules, 'node_modules', 'mermaid', 'dist', 'mermaid.min.js');
  const browser = await chromium.launch({
    executablePath: args.chromium,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({
      viewport: { width: Number(args.width), height: 800 }, deviceScaleFactor: Number(args.scale || 1),
    });
    // No network at all: every request but the page itself fails, so the drawing is offline for sure.
    await page.route('**/*', (route) => route.abort());
    await page.setContent('<!doctype html><html><body style="margin:0;background:#fff"><div id="out"></div></body></html>');
    await page.addScriptTag({ content: fs.readFileSync(bundle, 'utf8') });
    await page.evaluate(() => {
      // The configuration of the VS Code view (editors/vscode/media/graphView.js), so the times compare.
      window.mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', look: 'classic', maxEdges: 100000,
        maxTextSize: 10000000, flowchart: { htmlLabels: true } });
    });
    // The page's main-thread CPU time (Chrome's ThreadTime metric) beside the wall time: on a shared
    // machine the wall time grows with the load, the CPU time much less.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const threadTime = async () =>
      (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'ThreadTime').value * 1000;
    for (const [index, file] of args.files.entries()) {
      const text = fs.readFileSync(file, 'utf8');
      const cpuBefore = await threadTime();
      const result = await page.evaluate(async ({ text, index }) => {
        const t0 = performance.now();
        try {
          const { svg } = await window.mermaid.render(`graph${index}`, text);
          const ms = performance.now() - t0;
          document.getElementById('out').innerHTML = svg;
          return { ok: true, ms, svg };
        } catch (err) {
          return { ok: false, ms: performance.now() - t0, error: String(err && err.message ? err.message : err) };
        }
      }, { text, index });
      result.cpu_ms = (await threadTime()) - cpuBefore;
      if (args.png && index === 0 && result.ok) {
        const svg = page.locator('#out svg');
        await svg.screenshot({ path: args.png });
      }
      if (args.svg && index === 0 && result.ok) {
        fs.writeFileSync(args.svg, result.svg);
      }
      console.log(JSON.stringify({ file, ...result }));
    }
  } finally {
    await browser.close();
  }
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : String(err));
  process.exit(1);
});
