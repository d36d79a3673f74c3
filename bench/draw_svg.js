#!/usr/bin/env node
// Times the VS Code view's part of drawing the synchronization graph: inserting the SVG that
// barrier_lint.graph_layout laid out into a page and the browser's style, layout and paint of it, in
// Debian's Chromium driven by playwright-core. Used by bench/bench_graph.py.
//
//   node bench/draw_svg.js --modules <dir holding node_modules/playwright-core> [--chromium /usr/bin/chromium] in.svg ...
//
// Prints one JSON line per input: {file, ms, cpu_ms}: `ms` from setting innerHTML to the next animation
// frame after a forced layout, `cpu_ms` the page's main-thread CPU time meanwhile (Chrome's ThreadTime).
'use strict';

const fs = require('fs');
const path = require('path');

async function main() {
  const args = { files: [], chromium: '/usr/bin/chromium' };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith('--')) args[argv[i].slice(2)] = argv[++i];
    else args.files.push(argv[i]);
  }
  const { chromium } = require(path.join(args.modules, 'node_modules', 'playwright-core'));
  const browser = await chromium.launch({
    executablePath: args.chromium, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await page.route('**/*', (route) => route.abort());
    await page.setContent('<!doctype html><html><body style="margin:0"><div id="graph"></div></body></html>');
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const threadTime = async () =>
      (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'ThreadTime').value * 1000;
    for (const file of args.files) {
      const svg = fs.readFileSync(file, 'utf8');
      const before = await threadTime();
      const ms = await page.evaluate((svg) => new Promise((resolve) => {
        const t0 = performance.now();
        const graph = document.getElementById('graph');
        graph.innerHTML = svg;
        graph.getBoundingClientRect(); // style and layout now
        requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0), 0)); // after the paint
      }), svg);
      console.log(JSON.stringify({ file, ms, cpu_ms: (await threadTime()) - before }));
    }
  } finally {
    await browser.close();
  }
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : String(err));
  process.exit(1);
});
