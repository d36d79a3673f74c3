// "Barrier Lint: Show Synchronization Graph": a webview beside the editor that draws the active pipeline's
// barrier graph. The server answers `barrierLint/syncGraph` (the graph JSON, its drawing as SVG laid out
// from the graph's own structure, its Mermaid text and each item's range); the webview inserts the SVG and
// wires it to the JSON, under a strict Content Security Policy: no network, only this extension's files,
// scripts only with the page's nonce, no inline styles.
//
// It follows the active editor, redraws as you type (after a short pause), reveals the YAML line of a
// clicked node, and highlights a finding's nodes while the pointer is on the finding.
import * as crypto from 'crypto';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';

export const SHOW_GRAPH_COMMAND = 'barrierLint.showSyncGraph';
const METHOD = 'barrierLint/syncGraph';
const REDRAW_DELAY_MS = 300;

interface LspRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

interface SyncGraph {
  uri: string;
  version: number | null;
  graph: unknown;
  mermaid: string;
  dot: string;
  svg: string;
  ranges: Record<string, LspRange>;
}

/** Registers the command; `client` gives the running language client, if any. */
export function registerGraphView(
  context: vscode.ExtensionContext,
  client: () => LanguageClient | undefined,
  log: vscode.LogOutputChannel,
): void {
  let view: GraphView | undefined;
  context.subscriptions.push(
    vscode.commands.registerCommand(SHOW_GRAPH_COMMAND, () => {
      if (view) {
        view.panel.reveal(vscode.ViewColumn.Beside, true);
      } else {
        view = new GraphView(context, client, log, () => (view = undefined));
      }
      void view.follow(vscode.window.activeTextEditor);
    }),
  );
}

class GraphView {
  readonly panel: vscode.WebviewPanel;
  private document: vscode.TextDocument | undefined;
  private latest: SyncGraph | undefined;
  private timer: NodeJS.Timeout | undefined;
  private requestNumber = 0;
  private ready = false;
  private pending: object | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly client: () => LanguageClient | undefined,
    private readonly log: vscode.LogOutputChannel,
    onDispose: () => void,
  ) {
    const roots = [vscode.Uri.joinPath(context.extensionUri, 'media')];
    this.panel = vscode.window.createWebviewPanel(
      'barrierLint.syncGraph',
      'Synchronization Graph',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, localResourceRoots: roots, retainContextWhenHidden: true },
    );
    this.panel.webview.html = this.html();
    this.disposables.push(
      this.panel.onDidDispose(() => {
        clearTimeout(this.timer);
        this.disposables.forEach((d) => d.dispose());
        onDispose();
      }),
      this.panel.webview.onDidReceiveMessage((message) => this.received(message)),
      vscode.window.onDidChangeActiveTextEditor((editor) => void this.follow(editor)),
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (this.document && event.document === this.document) {
          clearTimeout(this.timer);
          this.timer = setTimeout(() => void this.redraw(), REDRAW_DELAY_MS);
        }
      }),
    );
  }

  /** Draws the editor's document when it is YAML; other editors (the output panel, ...) leave the view as is. */
  async follow(editor: vscode.TextEditor | undefined): Promise<void> {
    if (!editor || editor.document.languageId !== 'yaml') {
      return;
    }
    this.document = editor.document;
    await this.redraw();
  }

  private async redraw(): Promise<void> {
    const document = this.document;
    const running = this.client();
    if (!document) {
      return;
    }
    const name = vscode.workspace.asRelativePath(document.uri);
    this.panel.title = `Synchronization Graph: ${name.split('/').pop()}`;
    if (!running || !running.isRunning()) {
      this.post({ type: 'empty', text: 'The barrier-lint language server is not running.' });
      return;
    }
    const number = ++this.requestNumber;
    const requestedAt = Date.now();
    let result: SyncGraph | null;
    try {
      result = await running.sendRequest<SyncGraph | null>(METHOD, {
        textDocument: { uri: running.code2ProtocolConverter.asUri(document.uri) },
        position: vscode.window.activeTextEditor?.document === document
          ? running.code2ProtocolConverter.asPosition(vscode.window.activeTextEditor.selection.active)
          : undefined,
      });
    } catch (err) {
      this.log.warn(`${METHOD} failed: ${String(err)}`);
      return;
    }
    if (number !== this.requestNumber) {
      return; // a newer request is on its way
    }
    this.latest = result ?? undefined;
    if (!result) {
      this.post({ type: 'empty', text: `${name} holds no Harness pipeline to draw.` });
      return;
    }
    this.post({ type: 'graph', name, graph: result.graph, svg: result.svg, requestedAt });
  }

  /** Sends to the webview once its script runs (messages posted before that are lost); the last one wins. */
  private post(message: object): void {
    this.pending = message;
    if (this.ready) {
      void this.panel.webview.postMessage(message);
    }
  }

  private async received(message: { type: string; id?: string; ms?: number; page?: number }): Promise<void> {
    if (message.type === 'ready') {
      this.ready = true;
      if (this.pending) {
        void this.panel.webview.postMessage(this.pending);
      }
    } else if (message.type === 'reveal' && message.id && this.latest && this.document) {
      const range = this.latest.ranges[message.id];
      if (!range) {
        return; // written in another file, or a merged node
      }
      const client = this.client();
      const target = client ? client.protocol2CodeConverter.asRange(range) : undefined;
      if (!target) {
        return;
      }
      const visible = vscode.window.visibleTextEditors.find((e) => e.document === this.document);
      const editor = await vscode.window.showTextDocument(this.document, {
        viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One,
        selection: target,
        preserveFocus: false,
      });
      editor.revealRange(target, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    } else if (message.type === 'rendered') {
      this.log.info(`synchronization graph drawn ${message.ms?.toFixed(0)} ms after the request (the page: ${message.page?.toFixed(0)} ms)`);
    }
  }

  private html(): string {
    const webview = this.panel.webview;
    const nonce = crypto.randomBytes(16).toString('base64');
    const media = (...parts: string[]) =>
      webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, ...parts)).toString();
    // The drawing is SVG with presentation attributes: no inline style, no image, no font is needed.
    const csp = [
      "default-src 'none'",
      `style-src ${webview.cspSource}`,
      `script-src 'nonce-${nonce}'`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${media('media', 'graphView.css')}">
<title>Synchronization Graph</title>
</head>
<body>
<div id="status">Waiting for the language server…</div>
<ul id="findings"></ul>
<div id="graph"></div>
<script nonce="${nonce}" src="${media('media', 'graphView.js')}"></script>
</body>
</html>`;
  }
}
