// The synchronization graph webview (src/graphView.ts): inserts the SVG the language server laid out
// (barrier_lint/graph_layout.py: the graph's own structure, no layout engine here), then wires it to the
// graph JSON: a click on a node or a cluster asks the extension to reveal its YAML line, and the pointer on
// a finding highlights its nodes and edges. Every drawn element carries its graph id: nodes and clusters
// `data-graph-id="n3"`, edges `data-edge="e7"` (and `data-kind`).
(function () {
  'use strict';
  const vscode = acquireVsCodeApi();
  const status = document.getElementById('status');
  const findingsList = document.getElementById('findings');
  const container = document.getElementById('graph');
  let drawing = 0;

  window.addEventListener('message', (event) => {
    const message = event.data;
    if (message.type === 'empty') {
      drawing++;
      container.innerHTML = '';
      findingsList.innerHTML = '';
      status.textContent = message.text;
    } else if (message.type === 'graph') {
      draw(message);
    }
  });
  vscode.postMessage({ type: 'ready' });

  function draw(message) {
    const number = ++drawing;
    const started = performance.now();
    const graph = message.graph;
    // The SVG is the server's own markup (no script, no style element); the page's CSP forbids scripts.
    container.innerHTML = message.svg;
    fit(container.querySelector('svg'));
    const elements = wire(graph);
    listFindings(graph, elements);
    // The drawing is on the page once the browser has laid it out: wait for the next frame.
    requestAnimationFrame(() => {
      if (number !== drawing) return;
      // From the extension's request to the drawing on the page (both clocks are this machine's).
      const ms = Date.now() - message.requestedAt;
      const page = performance.now() - started;
      const barriers = graph.nodes.filter((n) => n.kind === 'barrier').length;
      const errors = graph.findings.filter((f) => f.severity === 'error').length;
      status.textContent = `${message.name}: ${barriers} barrier${barriers === 1 ? '' : 's'}, ` +
        `${graph.findings.length} finding${graph.findings.length === 1 ? '' : 's'}` +
        (errors ? ` (${errors} error${errors === 1 ? '' : 's'})` : '') + `. Drawn in ${ms.toFixed(0)} ms.`;
      document.body.dataset.renderMs = ms.toFixed(1);
      document.body.dataset.pageMs = page.toFixed(1);
      document.body.dataset.drawn = String(number);
      vscode.postMessage({ type: 'rendered', ms, page });
    });
  }

  /** Shrinks a drawing wider than the view to its width, down to 70% (a wider one scrolls). */
  function fit(svg) {
    if (!svg) return;
    const width = Number(svg.getAttribute('width'));
    const height = Number(svg.getAttribute('height'));
    const room = container.clientWidth - 4;
    if (width > room && room > 0) {
      const scale = Math.max(room / width, 0.7);
      svg.setAttribute('width', String(width * scale));
      svg.setAttribute('height', String(height * scale));
    }
  }

  /** id (n0, c1, e2) -> the SVG elements drawn for it. */
  function wire(graph) {
    const elements = new Map();
    const add = (id, element) => {
      if (!elements.has(id)) elements.set(id, []);
      elements.get(id).push(element);
    };
    for (const element of container.querySelectorAll('[data-graph-id]')) {
      add(element.dataset.graphId, element);
      element.classList.add('bl-clickable');
      const id = element.dataset.graphId;
      element.addEventListener('click', (event) => {
        event.stopPropagation();
        vscode.postMessage({ type: 'reveal', id });
      });
    }
    for (const path of container.querySelectorAll('path[data-edge]')) {
      add(path.dataset.edge, path);
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
