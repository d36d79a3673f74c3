#!/usr/bin/env node
// End-to-end test of the barrier-lint extension in a real VS Code workbench (code-server), driven
// through headless Chromium with playwright-core. Run by tests/test_editor_vscode.py; by hand:
//
//   PATH=<node24>/bin:$PATH node e2e/run-e2e.js --code-server <bin> --vsix barrier-lint.vsix \
//       --playwright <dir holding node_modules/playwright-core> --screenshot out.png --work /tmp/x
//
// It installs the .vsix into a fresh code-server profile, opens e2e/workspace/release.yaml and checks:
//   1. the error squiggle on the misspelt barrierRef;
//   2. the Problems panel entry: rule code BL101, the message, line 28 column 37;
//   3. the completion list on a `barrierRef:` line offers the declared barriers;
//   4. the "Show barrier participants" command peeks the Barrier steps sharing a barrier;
//   5. "barrierLint.severity" in the folder's settings reaches the server (BL101 becomes a warning, then
//      an info when the setting changes while the server runs), and
//      with the Python extension installed (a stand-in) its selected interpreter runs the server;
//   6. with "barrierLint.interpreter" pointing nowhere, a notification names that setting.
// It also measures issue 9's first diagnostics, printed as FIRST DIAGNOSTICS lines with the extension's
// start-up phases: in session 1 a file is opened in a running editor (the server must have started when the
// workspace opened, before any file: asserted); in session 2 the editor starts and the file is opened at once
// (the cold case). And the code lens after a quick fix (issue 9 item 10): it must read the new participants.
// code-server runs in its own session (setsid) and its whole process group is killed at the end.
'use strict';

const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const http = require('http');
const net = require('net');
const path = require('path');

const EXPECTED = {
  file: 'release.yaml',
  code: 'BL101',
  // The message names the misspelt value and suggests the declared identifier (wording is the server's).
  messageParts: ["'services_deployd'", "'services_deployed'"],
  line: 28,
  column: 37,
  completionLine: 42, // `barrierRef: services_deployed` in the web stage
  completionColumn: 37,
  declared: ['services_deployed', 'database_migrated'],
  participantsLine: 70, // `barrierRef: database_migrated` in the worker stage; the web stage has the other
  participantsColumn: 37,
  participants: 2, // lines 49 (web) and 70 (worker)
  quickFix: "Change to 'services_deployed'",
  // The code lens on the services_deployed declaration, before and after that quick fix.
  lensBefore: '2 participants: stage web, stage worker',
  lensAfter: '3 participants: stage api, stage web, stage worker',
};

const BAD_INTERPRETER = '/nonexistent/bin/python3';

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || argv[i + 1] === undefined) {
      throw new Error(`bad arguments near ${argv[i]}`);
    }
    args[argv[i].slice(2)] = argv[i + 1];
  }
  for (const required of ['code-server', 'vsix', 'playwright', 'screenshot', 'work']) {
    if (!args[required]) throw new Error(`missing --${required}`);
  }
  args.chromium = args.chromium || '/usr/bin/chromium';
  args.workspace = args.workspace || path.join(__dirname, 'workspace');
  args.timeout = Number(args.timeout || 60000);
  return args;
}

const t0 = Date.now();
let openedAt; // when the pipeline file's editor appeared, for the first-diagnostics time
let navigatedAt; // when the workbench page was asked for
let lastOpenedAt; // openedAt of the latest session, kept for the phases
let firstLabel = ''; // which first-diagnostics case the session measures
function log(msg) {
  console.log(`[e2e +${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function httpStatus(url) {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', () => resolve(0));
    req.setTimeout(2000, () => {
      req.destroy();
      resolve(0);
    });
  });
}

async function poll(what, fn, timeoutMs, intervalMs = 200) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

function assertEqual(actual, expected, what) {
  if (actual !== expected) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

/** A code-server process in its own session; stop() kills its whole process group. */
class CodeServer {
  constructor(bin, dirs, logFile) {
    this.bin = bin;
    this.dirs = dirs;
    this.logFile = logFile;
  }

  installExtension(vsix, id = 'barrier-lint.barrier-lint') {
    execFileSync(
      this.bin,
      ['--user-data-dir', this.dirs.userData, '--extensions-dir', this.dirs.extensions, '--install-extension', vsix],
      { stdio: ['ignore', 'pipe', 'pipe'], timeout: 120000 },
    );
    const installed = execFileSync(
      this.bin,
      ['--user-data-dir', this.dirs.userData, '--extensions-dir', this.dirs.extensions,
        '--list-extensions', '--show-versions'],
      { encoding: 'utf8', timeout: 120000 },
    );
    if (!installed.split('\n').some((line) => line.startsWith(`${id}@`))) {
      throw new Error(`extension not installed; code-server lists:\n${installed}`);
    }
    return installed.trim();
  }

  async start() {
    this.port = await freePort();
    fs.writeFileSync(this.dirs.config, `bind-addr: 127.0.0.1:${this.port}\nauth: none\ncert: false\n`);
    const out = fs.openSync(this.logFile, 'a');
    // detached: the child calls setsid(2), so it leads a new session and process group whose id is its pid.
    this.proc = spawn(
      this.bin,
      [
        '--config', this.dirs.config,
        '--user-data-dir', this.dirs.userData,
        '--extensions-dir', this.dirs.extensions,
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
      ],
      { detached: true, stdio: ['ignore', out, out] },
    );
    fs.closeSync(out);
    const url = `http://127.0.0.1:${this.port}`;
    await poll('code-server to listen', async () => (await httpStatus(`${url}/healthz`)) === 200, 60000);
    log(`code-server listening on ${this.port} (process group ${this.proc.pid})`);
    return url;
  }

  groupAlive() {
    try {
      process.kill(-this.proc.pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  async stop() {
    if (!this.proc) return;
    const pgid = this.proc.pid;
    for (const [signal, waitMs] of [['SIGTERM', 5000], ['SIGKILL', 5000]]) {
      if (!this.groupAlive()) break;
      try {
        process.kill(-pgid, signal);
      } catch {
        break;
      }
      const deadline = Date.now() + waitMs;
      while (this.groupAlive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    }
    if (this.groupAlive()) throw new Error(`code-server process group ${pgid} survived SIGKILL`);
    this.proc = undefined;
    log(`code-server process group ${pgid} stopped`);
  }
}

function writeProfile(work, workspace) {
  const dirs = {
    userData: path.join(work, 'user-data'),
    extensions: path.join(work, 'extensions'),
    config: path.join(work, 'config.yaml'),
    workspace: path.join(work, 'workspace'),
  };
  fs.mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
  fs.mkdirSync(dirs.extensions, { recursive: true });
  writeUserSettings(path.join(dirs.userData, 'User', 'settings.json'));
  // A copy, so the test never touches the committed workspace.
  fs.cpSync(workspace, dirs.workspace, { recursive: true });
  return dirs;
}

function writeUserSettings(file) {
  const settings = {
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'security.workspace.trust.enabled': false,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'chat.disableAIFeatures': true,
    'editor.wordBasedSuggestions': 'off',
    'editor.minimap.enabled': false,
    'editor.stickyScroll.enabled': false,
    'files.autoSave': 'off', // the edits made for completion must not reach the disk
    'window.commandCenter': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'barrierLint.trace.server': 'messages',
  };
  fs.writeFileSync(file, JSON.stringify(settings, null, 2));
}

async function openFile(page, name) {
  const item = page.locator(`.explorer-folders-view .monaco-list-row[aria-label^="${name}"]`).first();
  await item.waitFor({ state: 'visible' });
  await item.click();
  await page.locator(`.tabs-container .tab[aria-label^="${name}"]`).first().waitFor({ state: 'visible' });
  await page.locator('.monaco-editor .view-lines').first().waitFor({ state: 'visible' });
}

async function goTo(page, line, column) {
  await page.locator('.monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`:${line}:${column}`); // the Go to Line picker is quick open with a ":" prefix
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden' });
  await waitForStatus(page, `Ln ${line}, Col ${column}`);
}

/** Waits until the status bar's cursor item reads exactly `expected`. */
async function waitForStatus(page, expected) {
  let last = '';
  try {
    await poll(
      `status bar "${expected}"`,
      async () => {
        last = (await page.locator('.statusbar-item[id="status.editor.selection"]').innerText().catch(() => '')).trim();
        return last === expected;
      },
      10000,
    );
  } catch (err) {
    throw new Error(`${err.message}; it reads "${last}"`);
  }
}

/** Prints the session's first-diagnostics time (once), from the file's tab showing and from the page load. */
function reportFirstDiagnostics() {
  if (openedAt === undefined) return;
  const now = Date.now();
  log(`FIRST DIAGNOSTICS (${firstLabel}): ${now - openedAt} ms after the file's tab showed, ` +
    `${now - navigatedAt} ms after the workbench page was requested`);
  openedAt = undefined;
}

/** The extension's log lines of the newest code-server session (its output channel, as written to disk). */
function extensionLog(userData) {
  const logs = path.join(userData, 'logs');
  const sessions = fs.existsSync(logs) ? fs.readdirSync(logs).sort() : [];
  for (const session of sessions.reverse()) {
    for (const host of fs.readdirSync(path.join(logs, session))) {
      const file = path.join(logs, session, host, 'barrier-lint.barrier-lint', 'barrier-lint.log');
      if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8');
    }
  }
  return '';
}

/** The start-up phases the extension logged (activation, process, imports, initialize, didOpen, diagnostics). */
function printPhases(userData) {
  const phases = extensionLog(userData).split('\n').filter((line) =>
    /activated|starting \[|server process|imports took|language server started|didOpen|first diagnostics/.test(line));
  for (const line of phases) {
    // The log's local time stamp, against when the file's tab showed.
    const stamp = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3})/.exec(line);
    const tab = stamp && lastOpenedAt ? ` [tab ${new Date(`${stamp[1]}T${stamp[2]}`) - lastOpenedAt} ms]` : '';
    log(`  phase: ${line.replace(/^\S+ \S+ /, '')}${tab}`);
  }
}

async function checkDiagnostics(page, timeout) {
  // 1. The squiggle: an error decoration in the editor.
  const squiggle = page.locator('.monaco-editor .squiggly-error');
  await squiggle.first().waitFor({ state: 'attached', timeout });
  // Issue 9's number: from the file's tab showing to the first diagnostic drawn, which includes activating
  // the extension and starting the server (its `initialize`) in the first session.
  reportFirstDiagnostics();
  log(`squiggle shown (${await squiggle.count()} error decoration(s))`);

  // 2. The Problems panel.
  await page.keyboard.press('Control+Shift+M');
  const rows = page.locator('.markers-panel .monaco-list-row');
  const texts = await poll(
    'Problems panel entries',
    async () => {
      const all = await rows.allInnerTexts();
      // One file row plus one row per problem once the panel has caught up.
      return all.some((t) => t.includes(EXPECTED.code)) ? all : null;
    },
    timeout,
  );
  log(`Problems panel rows: ${JSON.stringify(texts)}`);
  const problems = texts.filter((t) => /\[Ln \d+, Col \d+\]/.test(t));
  if (problems.length !== 1) {
    throw new Error(`expected exactly one problem, got ${problems.length}: ${JSON.stringify(problems)}`);
  }
  const problem = problems[0].replace(/\s+/g, ' ');
  const location = `[Ln ${EXPECTED.line}, Col ${EXPECTED.column}]`;
  const parts = [...EXPECTED.messageParts, `barrier-lint ${EXPECTED.code}`, location];
  for (const part of parts) {
    if (!problem.includes(part)) {
      throw new Error(`Problems entry ${JSON.stringify(problem)} lacks ${JSON.stringify(part)}`);
    }
  }
  if (!texts.some((t) => t.includes(EXPECTED.file))) throw new Error(`no ${EXPECTED.file} row in the Problems panel`);
  const errorIcons = await page.locator('.markers-panel .monaco-list-row .codicon-error').count();
  assertEqual(errorIcons, 1, 'error-severity entries in the Problems panel');

  // Clicking the entry jumps to the problem
  await page.locator('.markers-panel .monaco-list-row', { hasText: EXPECTED.code }).first().click();
  // and selects the diagnostic's range: the 16 characters of the misspelt value.
  const length = 'services_deployd'.length;
  await waitForStatus(page, `Ln ${EXPECTED.line}, Col ${EXPECTED.column + length} (${length} selected)`);
  // The squiggle covers exactly the misspelt value on that line.
  const geometry = await poll(
    'squiggle under the misspelt value',
    () =>
      page.evaluate((needle) => {
        const token = [...document.querySelectorAll('.monaco-editor .view-line span span')].find(
          (s) => s.textContent.trim() === needle,
        );
        const squiggle = document.querySelector('.monaco-editor .squiggly-error');
        if (!token || !squiggle) return null;
        const a = token.getBoundingClientRect();
        const b = squiggle.getBoundingClientRect();
        return { token: [a.left, a.right, a.top], squiggle: [b.left, b.right, b.top] };
      }, 'services_deployd'),
    timeout,
  );
  const [tl, tr, tt] = geometry.token;
  const [sl, sr, st] = geometry.squiggle;
  if (Math.abs(tl - sl) > 2 || Math.abs(tr - sr) > 2 || Math.abs(tt - st) > 4) {
    throw new Error(`squiggle does not cover the misspelt value: ${JSON.stringify(geometry)}`);
  }
  return problem;
}

async function checkCompletion(page, timeout) {
  // Clear the value after `barrierRef: ` on the web stage's step and ask for completions there.
  await goTo(page, EXPECTED.completionLine, EXPECTED.completionColumn);
  await page.keyboard.press('Shift+End');
  await page.keyboard.press('Delete');
  // Scroll (the cursor stays) until the misspelt line is in view too, for the screenshot.
  const typoShown = () =>
    page.evaluate(() =>
      [...document.querySelectorAll('.monaco-editor .view-line')].some((l) =>
        l.textContent.includes('services_deployd')),
    );
  for (let i = 0; i < 20 && !(await typoShown()); i++) await page.keyboard.press('Control+ArrowUp');
  for (let i = 0; i < 3; i++) await page.keyboard.press('Control+ArrowUp'); // a little context above it
  await page.keyboard.press('Control+Space');
  const rows = page.locator('.suggest-widget.visible .monaco-list-row');
  const labels = await poll(
    'completion list',
    async () => {
      const all = await rows.allInnerTexts();
      const names = all.map((t) => t.split('\n')[0].trim()).filter(Boolean);
      return EXPECTED.declared.every((d) => names.includes(d)) ? names : null;
    },
    timeout,
  );
  log(`completion list: ${JSON.stringify(labels)}`);
  if (labels.includes('services_deployd')) throw new Error('completion offers an undeclared barrier');
  return labels;
}

async function checkNoPythonNotification(page, timeout) {
  const toast = page.locator('.notifications-toasts .notification-list-item', { hasText: 'no usable Python' });
  await toast.first().waitFor({ state: 'visible', timeout });
  const text = (await toast.first().innerText()).replace(/\s+/g, ' ');
  log(`notification: ${text}`);
  for (const part of ['barrierLint.interpreter', BAD_INTERPRETER]) {
    if (!text.includes(part)) throw new Error(`notification ${JSON.stringify(text)} lacks ${JSON.stringify(part)}`);
  }
  return text;
}

async function runCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first().waitFor();
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden' });
}

/** Drops the session's unsaved edits, so the next session opens the file as it is on disk. */
async function revertFile(page, name) {
  await runCommand(page, 'File: Revert File');
  await page.locator(`.tabs-container .tab.dirty[aria-label^="${name}"]`).waitFor({ state: 'detached' });
}

async function checkParticipants(page, timeout) {
  await page.keyboard.press('Escape');
  await goTo(page, EXPECTED.participantsLine, EXPECTED.participantsColumn);
  await runCommand(page, 'barrier-lint: Show barrier participants');
  const rows = page.locator('.peekview-widget .ref-tree .monaco-list-row');
  const texts = await poll(
    'participants peek',
    async () => {
      const all = (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
      return all.filter((t) => t.includes('barrierRef')).length >= EXPECTED.participants ? all : null;
    },
    timeout,
  );
  log(`participants: ${JSON.stringify(texts)}`);
  // One row per Barrier step (its line's text); the declaration is not one of them.
  const steps = texts.filter((t) => t.includes('barrierRef'));
  assertEqual(steps.length, EXPECTED.participants, 'participant rows');
  const title = (await page.locator('.peekview-widget .peekview-title').first().innerText()).replace(/\s+/g, ' ');
  if (!title.includes(`(${EXPECTED.participants})`)) throw new Error(`peek title ${JSON.stringify(title)}`);
  await page.keyboard.press('Escape');
  return steps;
}

/** The code lenses' texts in the editor. */
function lensTexts(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('.monaco-editor .codelens-decoration')].map((e) => e.textContent.trim()));
}

/**
 * Issue 9 item 10: applies the quick fix "Change to 'services_deployed'" on the misspelt barrierRef; the lens
 * on the services_deployed declaration must then count the api stage too. Prints how long the old lens
 * stayed after the fix was applied.
 */
async function checkLensAfterQuickFix(page, timeout) {
  await goTo(page, EXPECTED.line, EXPECTED.column + 2);
  // Scroll (the cursor stays) until the declaration, and its lens, is in view: VS Code updates lenses in view.
  const declarationShown = () =>
    page.evaluate(() =>
      [...document.querySelectorAll('.monaco-editor .view-line')].some((l) =>
        l.textContent.includes('identifier: services_deployed')),
    );
  for (let i = 0; i < 30 && !(await declarationShown()); i++) await page.keyboard.press('Control+ArrowUp');
  const before = EXPECTED.lensBefore;
  await poll(`code lens "${before}"`, async () => (await lensTexts(page)).includes(before), timeout);
  await page.keyboard.press('Control+.');
  const fix = page.locator('.action-widget .monaco-list-row', { hasText: EXPECTED.quickFix });
  await fix.first().waitFor({ state: 'visible', timeout });
  await fix.first().hover();
  const applied = Date.now();
  await fix.first().click();
  // Polled in the page, every animation frame: the moments the squiggle went and the lens changed.
  const times = await page.evaluate(
    ({ after, waitMs }) =>
      new Promise((resolve) => {
        const start = performance.now();
        let cleared;
        const tick = () => {
          const now = performance.now() - start;
          if (cleared === undefined && !document.querySelector('.monaco-editor .squiggly-error')) cleared = now;
          const lenses = [...document.querySelectorAll('.monaco-editor .codelens-decoration')].map((e) => e.textContent.trim());
          if (lenses.includes(after) && cleared !== undefined) resolve({ cleared, lens: now, lenses });
          else if (now > waitMs) resolve({ cleared, lens: undefined, lenses });
          else requestAnimationFrame(tick);
        };
        tick();
      }),
    { after: EXPECTED.lensAfter, waitMs: timeout },
  );
  if (times.lens === undefined) {
    throw new Error(`the code lens never read "${EXPECTED.lensAfter}" after the quick fix: ${JSON.stringify(times.lenses)}`);
  }
  log(`QUICK FIX: diagnostics updated ${Math.round(times.cleared)} ms, code lens updated ` +
    `${Math.round(times.lens)} ms after the fix was applied (${Date.now() - applied} ms until checked)`);
  return `${JSON.stringify(times.lenses)}`;
}

/** BL101 is shown with `level` ('warning' or 'info'): its squiggle and its Problems entry. */
async function checkSeverityOverride(page, level, timeout) {
  await page.locator(`.monaco-editor .squiggly-${level}`).first().waitFor({ state: 'attached', timeout });
  reportFirstDiagnostics();
  if (!(await page.locator('.markers-panel').isVisible())) await page.keyboard.press('Control+Shift+M');
  const rows = page.locator('.markers-panel .monaco-list-row', { hasText: EXPECTED.code });
  const shown = async () => (await rows.locator(`.codicon-${level}`).count()) === 1;
  await poll(`${EXPECTED.code} as ${level} in the Problems panel`, shown, timeout);
  assertEqual(await rows.count(), 1, `${EXPECTED.code} entries`);
  assertEqual(await page.locator('.markers-panel .monaco-list-row .codicon-error').count(), 0, 'error entries');
  return (await rows.first().innerText()).replace(/\s+/g, ' ');
}

/**
 * A stand-in for the Python extension (ms-python.python): its API reports `python` as the selected
 * interpreter. The real one cannot be installed here (no marketplace), and only its API shape matters.
 */
async function stubPythonExtensionVsix(work, python) {
  const dir = path.join(work, 'stub-ms-python');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
    name: 'python', publisher: 'ms-python', version: '0.0.1', main: './extension.js',
    engines: { vscode: '^1.82.0' }, activationEvents: [], description: 'test stand-in',
  }));
  fs.writeFileSync(path.join(dir, 'README.md'), 'Test stand-in for ms-python.python.\n');
  fs.writeFileSync(path.join(dir, 'extension.js'), `
    const python = ${JSON.stringify(python)};
    exports.activate = () => ({
      environments: {
        getActiveEnvironmentPath: () => ({ id: 'stub', path: python }),
        resolveEnvironment: async (env) => ({ id: env.id, executable: { uri: { fsPath: env.path } } }),
      },
    });`);
  const packagePath = path.join(work, 'stub-ms-python.vsix');
  const { createVSIX } = require(path.join(__dirname, '..', 'node_modules', '@vscode', 'vsce'));
  await createVSIX({ cwd: dir, packagePath, dependencies: false, allowMissingRepository: true, skipLicense: true });
  return packagePath;
}

/** The interpreter the extension chose, from its log ("Python: ..."), once it has chosen one. */
function chosenInterpreter(userData) {
  const found = /\[info\] Python: (.*)$/m.exec(extensionLog(userData));
  return found ? found[1].trim() : null;
}

/** Opens the workspace in a new page on `url` and then the pipeline file. */
async function openWorkbench(browser, url, dirs, timeout, { serverFirst = false } = {}) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.setDefaultTimeout(timeout);
  navigatedAt = Date.now();
  await page.goto(`${url}/?folder=${encodeURIComponent(dirs.workspace)}`);
  await page.locator('.monaco-workbench').waitFor({ state: 'visible' });
  log('workbench loaded');
  if (serverFirst) {
    // A running editor: the extension starts its server when the workspace opens (it holds YAML files),
    // before any file is opened; wait for it, then open the file.
    firstLabel = 'a file opened in a running editor';
    await poll('the language server to start before any file is opened',
      () => /language server started/.test(extensionLog(dirs.userData)), timeout, 100);
    const before = extensionLog(dirs.userData);
    if (/didOpen/.test(before)) throw new Error(`a document was opened before the file was: ${before}`);
    log('language server running, no file open yet');
  } else {
    firstLabel = 'the editor starting with the file';
  }
  await openFile(page, EXPECTED.file);
  openedAt = Date.now();
  lastOpenedAt = openedAt;
  log(`${EXPECTED.file} open`);
  return page;
}

/**
 * What a run needs: a fresh profile with a copy of the workspace, code-server with the .vsix installed, and
 * `launch()` for headless Chromium; `cleanup()` (also on SIGINT/SIGTERM) stops code-server and Chromium.
 */
function prepareRun(args) {
  const { chromium } = require(path.join(args.playwright, 'node_modules', 'playwright-core'));
  fs.mkdirSync(args.work, { recursive: true });
  const dirs = writeProfile(args.work, args.workspace);
  const server = new CodeServer(args['code-server'], dirs, path.join(args.work, 'code-server.log'));
  const run = {
    dirs,
    server,
    browser: undefined,
    async launch() {
      log(`installed: ${server.installExtension(path.resolve(args.vsix)).replace(/\n/g, ', ')}`);
      run.browser = await chromium.launch({
        executablePath: args.chromium,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
          '--disable-component-update', '--disable-sync'],
      });
      return run.browser;
    },
    async cleanup() {
      if (run.browser) await run.browser.close().catch(() => {});
      run.browser = undefined;
      await server.stop();
    },
  };
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      run.cleanup().finally(() => process.exit(130));
    });
  }
  return run;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const run = prepareRun(args);
  const { dirs, server } = run;
  let page;
  try {
    const browser = await run.launch();

    // Session 1: default settings, so the bundled server runs under python3 from PATH.
    page = await openWorkbench(browser, await server.start(), dirs, args.timeout, { serverFirst: true });
    const problem = await checkDiagnostics(page, args.timeout);
    printPhases(dirs.userData);
    log(`diagnostic OK: ${problem}`);
    const labels = await checkCompletion(page, args.timeout);
    log(`completion OK: ${labels.join(', ')}`);
    fs.mkdirSync(path.dirname(args.screenshot), { recursive: true });
    await page.screenshot({ path: args.screenshot });
    log(`screenshot: ${args.screenshot}`);
    log(`participants OK: ${(await checkParticipants(page, args.timeout)).join(' | ')}`);
    await revertFile(page, EXPECTED.file);
    log(`code lens after a quick fix OK: ${await checkLensAfterQuickFix(page, args.timeout)}`);
    await revertFile(page, EXPECTED.file);
    await page.close();
    page = undefined;
    await server.stop();

    // Session 2: a folder setting turns BL101 into a warning: the settings reach the server through its
    // workspace/configuration pull for the folder. And with the Python extension present, its selected
    // interpreter (here a wrapper script) runs the server.
    const wrapper = path.join(args.work, 'selected-env', 'bin', 'python');
    fs.mkdirSync(path.dirname(wrapper), { recursive: true });
    fs.writeFileSync(wrapper, '#!/bin/sh\nexec python3 "$@"\n', { mode: 0o755 });
    server.installExtension(await stubPythonExtensionVsix(args.work, wrapper), 'ms-python.python');
    fs.mkdirSync(path.join(dirs.workspace, '.vscode'));
    fs.writeFileSync(
      path.join(dirs.workspace, '.vscode', 'settings.json'),
      JSON.stringify({ 'barrierLint.severity': { [EXPECTED.code]: 'warning' } }),
    );
    page = await openWorkbench(browser, await server.start(), dirs, args.timeout);
    log(`severity override OK: ${await checkSeverityOverride(page, 'warning', args.timeout)}`);
    printPhases(dirs.userData);
    // Changed while the server runs: pushed to it (workspace/didChangeConfiguration), no restart.
    fs.writeFileSync(
      path.join(dirs.workspace, '.vscode', 'settings.json'),
      JSON.stringify({ 'barrierLint.severity': { [EXPECTED.code]: 'info' } }),
    );
    log(`live severity change OK: ${await checkSeverityOverride(page, 'info', args.timeout)}`);
    assertEqual(chosenInterpreter(dirs.userData), wrapper, "interpreter taken from the Python extension");
    log(`interpreter from the Python extension OK: ${wrapper}`);
    await page.close();
    page = undefined;
    await server.stop();
    fs.rmSync(path.join(dirs.workspace, '.vscode'), { recursive: true });

    // Session 3: an interpreter that does not exist must produce a notification naming the setting.
    // code-server is a remote window: a machine-overridable setting such as barrierLint.interpreter is
    // taken from the remote ("Machine") settings, never from the browser side's user settings.
    fs.mkdirSync(path.join(dirs.userData, 'Machine'), { recursive: true });
    fs.writeFileSync(
      path.join(dirs.userData, 'Machine', 'settings.json'),
      JSON.stringify({ 'barrierLint.interpreter': BAD_INTERPRETER }),
    );
    page = await openWorkbench(browser, await server.start(), dirs, args.timeout);
    await checkNoPythonNotification(page, args.timeout);
    log('no-Python notification OK');
    console.log('E2E PASSED');
  } catch (err) {
    await saveFailureShot(page, args.work);
    throw err;
  } finally {
    await run.cleanup();
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(`E2E FAILED: ${err && err.stack ? err.stack : err}`);
    process.exit(1);
  });
}

// The workbench helpers, for the other end-to-end scripts (run-graph-e2e.js).
/** The page at a failure, kept as work/failure.png for the test to copy where CI keeps it. */
async function saveFailureShot(page, work) {
  if (!page) return;
  const failShot = path.join(work, 'failure.png');
  await page.screenshot({ path: failShot }).catch(() => {});
  console.error(`failure screenshot: ${failShot}`);
}

module.exports = { parseArgs, saveFailureShot, log, poll, assertEqual, prepareRun, openFile, goTo, waitForStatus, runCommand };
