// The synchronization graph webview (src/graphView.ts): draws the Mermaid text the language server sends
// with the vendored mermaid library, then wires the drawing to the graph JSON: a click on a node or a
// cluster asks the extension to reveal its YAML line, and the pointer on a finding highlights its nodes.
// Mermaid names a node `<drawing>-flowchart-<id>-<n>` and a cluster `<drawing>-<id>`, and each link's
// path carries `data-id="L_<source>_<target>_<n>"`, where the ids are the graph JSON's.
(function () {
  'use strict';
  const vscode = acquireVsCodeApi();
  const status = document.getElementById('status');
  const findingsList = document.getElementById('findings');
  const container = document.getElementById('graph');
  const dark = document.body.classList.contains('vscode-dark') || document.body.classList.contains('vscode-high-contrast');
  window.mermaid.initialize({
    startOnLoad: false,
    securityLevel: 'strict',
    look: 'classic', // mermaid 12's 'neo' look (shadows) costs about a third more time to draw
    theme: dark ? 'dark' : 'default',
    maxEdges: 100000,
    maxTextSize: 10000000,
    flowchart: { htmlLabels: true },
  });
  let drawing = 0;

  window.addEventListener('message', (event) => {
    const message = event.data;
    if (message.type === 'empty') {
      drawing++;
      container.innerHTML = '';
      findingsList.innerHTML = '';
      status.textContent = message.text;
    } else if (message.type === 'graph') {
      void draw(message);
    }
  });
  vscode.postMessage({ type: 'ready' });
  // Mermaid sets itself up on its first drawing (a few hundred ms); do that while the server answers.
  const warm = window.mermaid.render('sync-graph-warm-up', 'flowchart TB\n  a --> b').catch(() => {});

  async function draw(message) {
    const number = ++drawing;
    const started = performance.now();
    await warm;
    let svg;
    try {
      ({ svg } = await window.mermaid.render(`sync-graph-${number}`, message.mermaid));
    } catch (err) {
      if (number === drawing) {
        status.textContent = `The graph could not be drawn: ${err && err.message ? err.message : err}`;
        vscode.postMessage({ type: 'error', error: String(err && err.message ? err.message : err) });
      }
      return;
    }
    if (number !== drawing) {
      return; // a newer graph arrived while this one was being laid out
    }
    container.innerHTML = svg;
    const elements = wire(message.graph);
    listFindings(message.graph, elements);
    const ms = performance.now() - started;
    const graph = message.graph;
    const barriers = graph.nodes.filter((n) => n.kind === 'barrier').length;
    const errors = graph.findings.filter((f) => f.severity === 'error').length;
    status.textContent = `${message.name}: ${barriers} barrier${barriers === 1 ? '' : 's'}, ` +
      `${graph.findings.length} finding${graph.findings.length === 1 ? '' : 's'}` +
      (errors ? ` (${errors} error${errors === 1 ? '' : 's'})` : '') + `. Drawn in ${ms.toFixed(0)} ms.`;
    document.body.dataset.renderMs = ms.toFixed(1);
    document.body.dataset.drawn = String(number);
    vscode.postMessage({ type: 'rendered', ms });
  }

  /** id (n0, c1, e2) -> the SVG elements drawn for it. */
  function wire(graph) {
    const elements = new Map();
    const add = (id, element) => {
      if (!elements.has(id)) elements.set(id, []);
      elements.get(id).push(element);
    };
    for (const element of container.querySelectorAll('g.node')) {
      const match = /-flowchart-(n\d+)-\d+$/.exec(element.id);
      if (match) add(match[1], element);
    }
    for (const element of container.querySelectorAll('g.cluster')) {
      const match = /-(c\d+)$/.exec(element.id);
      if (match) add(match[1], element);
    }
    const paths = new Map();
    for (const path of container.querySelectorAll('path[data-id]')) {
      const key = path.getAttribute('data-id').replace(/_\d+$/, '');
      if (!paths.has(key)) paths.set(key, []);
      paths.get(key).push(path);
    }
    // Links between the same two ends are numbered in the order they are written, as the edges are.
    const used = new Map();
    for (const edge of graph.edges) {
      const key = `L_${edge.source}_${edge.target}`;
      const index = used.get(key) || 0;
      used.set(key, index + 1);
      const path = (paths.get(key) || [])[index];
      if (path) {
        path.dataset.edge = edge.id;
        path.dataset.kind = edge.kind;
        add(edge.id, path);
      }
    }
    for (const item of [...graph.nodes, ...graph.clusters]) {
      for (const element of elements.get(item.id) || []) {
        element.dataset.graphId = item.id;
        element.classList.add('bl-clickable');
        element.addEventListener('click', (event) => {
          event.stopPropagation();
          vscode.postMessage({ type: 'reveal', id: item.id });
        });
      }
    }
    return elements;
  }

  function listFindings(graph, elements) {
    findingsList.innerHTML = '';
    graph.findings.forEach((finding, index) => {
      const item = document.createElement('li');
      item.className = `bl-finding bl-${finding.severity}`;
      item.dataset.finding = String(index);
      item.textContent = `${finding.code} line ${finding.span.line} (${finding.severity}): ${finding.message}`;
      const marked = [...finding.nodes, ...finding.edges].flatMap((id) => elements.get(id) || []);
      item.addEventListener('mouseenter', () => marked.forEach((e) => e.classList.add('bl-highlight')));
      item.addEventListener('mouseleave', () => marked.forEach((e) => e.classList.remove('bl-highlight')));
      item.addEventListener('click', () => {
        const own = finding.nodes[0];
        if (own) vscode.postMessage({ type: 'reveal', id: own });
      });
      findingsList.appendChild(item);
    });
  }
})();
