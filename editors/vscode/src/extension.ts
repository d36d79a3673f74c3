// barrier-lint for VS Code: starts the barrier-lint language server (Python, stdio) for YAML files.
// The server decides which YAML documents are Harness pipelines; this extension only finds a Python,
// starts the server and passes the user's settings on.
import * as fs from 'fs';
import * as path from 'path';
import { ChildProcess, spawn } from 'child_process';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  Executable,
  LanguageClient,
  LanguageClientOptions,
  ReferencesRequest,
  ServerOptions,
  State,
} from 'vscode-languageclient/node';
import { registerGraphView } from './graphView';

const SECTION = 'barrierLint';
const MIN_PYTHON = '3.10';
// `python -m barrier_lint_server --announce` writes this on stderr as soon as the interpreter runs (before its
// imports), and exits with TOO_OLD on a Python older than MIN_PYTHON: that tells a usable interpreter from
// one that is not, without starting Python once more only to ask its version.
const ANNOUNCED = /^barrier-lint-server: Python \S+ \((.*)\)\r?\n/m;
const TOO_OLD = 3;

// The settings that configure the analysis; the others (interpreter, serverCommand, trace) are the
// extension's own and are never sent to the server, which rejects keys it does not know.
const ANALYSIS_KEYS = ['select', 'ignore', 'severity'] as const;

let client: LanguageClient | undefined;
let serverProcess: ChildProcess | undefined;
let starting: Promise<void> = Promise.resolve();
let log: vscode.LogOutputChannel;

// Start-up timing, in the output channel: each phase as milliseconds since activation (issue 9's "first
// diagnostics within 1 s"; e2e/run-e2e.js prints these lines).
let activatedAt = 0;
const since = (): string => `+${Date.now() - activatedAt} ms`;

/** The server process's CPU time so far (user + system), from /proc on Linux; '' elsewhere. */
function serverCpu(): string {
  const pid = serverProcess?.pid;
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return `, server CPU ${(Number(fields[11]) + Number(fields[12])) * 10} ms`; // clock ticks of 10 ms
  } catch {
    return '';
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  activatedAt = Date.now();
  log = vscode.window.createOutputChannel('barrier-lint', { log: true });
  log.info(`activated ${since()}`);
  context.subscriptions.push(
    log,
    vscode.commands.registerCommand('barrierLint.restartServer', () => restart(context)),
    vscode.commands.registerCommand('barrierLint.showParticipants', showParticipants),
    vscode.workspace.onDidChangeConfiguration((e) => {
      // How the server is started needs a restart; select/ignore/severity are pushed to the running
      // server, which then pulls each folder's values again (workspace/configuration).
      if (
        e.affectsConfiguration(`${SECTION}.interpreter`) ||
        e.affectsConfiguration(`${SECTION}.serverCommand`)
      ) {
        void restart(context);
      } else if (ANALYSIS_KEYS.some((key) => e.affectsConfiguration(`${SECTION}.${key}`))) {
        void client?.sendNotification(DidChangeConfigurationNotification.type, {
          settings: { [SECTION]: analysisSettings(vscode.workspace.getConfiguration(SECTION)) },
        });
      }
    }),
  );
  registerGraphView(context, () => client, log);
  // Not awaited: activation (at startup when the workspace holds YAML, see package.json) returns at once,
  // and the server starts in the background, so it is ready before a file is opened.
  starting = startLogged(context);
}

/** start(), with an unexpected failure logged rather than left as an unhandled rejection. */
function startLogged(context: vscode.ExtensionContext): Promise<void> {
  return start(context).catch((err) => log.error(`starting the language server: ${String(err)}`));
}

export async function deactivate(): Promise<void> {
  await stop();
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  await starting;
  await stop();
  starting = startLogged(context);
  await starting;
}

async function stop(): Promise<void> {
  const running = client;
  const child = serverProcess;
  client = undefined;
  serverProcess = undefined;
  if (running && running.state !== State.Stopped) {
    await running.stop().catch((err) => log.warn(`stopping the language server: ${String(err)}`));
  }
  // The client stops the server with shutdown and exit; one that has not exited 2 s later is killed.
  if (child && child.exitCode === null && child.signalCode === null) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        child.kill();
        resolve();
      }, 2000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const serverOptions = await resolveServer(context);
  if (!serverOptions) {
    return; // the user has been told why
  }
  const opened = new Map<string, number>(); // document -> when its didOpen was sent, until its first diagnostics
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'yaml' },
      { scheme: 'untitled', language: 'yaml' },
    ],
    initializationOptions: analysisSettings(vscode.workspace.getConfiguration(SECTION)),
    middleware: {
      didOpen: (document, next) => {
        opened.set(document.uri.toString(), Date.now());
        log.info(`didOpen ${path.basename(document.uri.path)} ${since()}`);
        return next(document);
      },
      handleDiagnostics: (uri, diagnostics, next) => {
        const sent = opened.get(uri.toString());
        if (sent !== undefined) {
          opened.delete(uri.toString());
          log.info(
            `first diagnostics for ${path.basename(uri.path)}: ${Date.now() - sent} ms after didOpen ` +
              `${since()}${serverCpu()}`,
          );
        }
        next(uri, diagnostics);
      },
      workspace: {
        // Answer the server's pull for section 'barrierLint' per folder with the analysis keys only.
        configuration: async (params, token, next) => {
          const answers = await next(params, token);
          if (!Array.isArray(answers)) {
            return answers;
          }
          return params.items.map((item, i) => {
            if (item.section !== SECTION) {
              return answers[i];
            }
            const scope = item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined;
            return analysisSettings(vscode.workspace.getConfiguration(SECTION, scope));
          });
        },
      },
    },
    outputChannel: log,
  };
  // The id 'barrierLint' makes the client honour the 'barrierLint.trace.server' setting.
  client = new LanguageClient(SECTION, 'barrier-lint', serverOptions, clientOptions);
  try {
    await client.start();
    log.info(`language server started (initialize answered) ${since()}${serverCpu()}`);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log.error(`language server failed to start: ${message}`);
    void vscode.window.showErrorMessage(
      `barrier-lint: the language server failed to start (${message}). See the 'barrier-lint' output; ` +
        `check "${SECTION}.interpreter" or "${SECTION}.serverCommand".`,
    );
  }
}

/**
 * The analysis settings as the server reads them (the keys of a [tool.barrier-lint] table). An empty
 * `select` is left out, so the configuration file's choice (every rule by default) applies.
 */
function analysisSettings(config: vscode.WorkspaceConfiguration): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  const select = config.get<string[]>('select', []);
  if (select.length > 0) {
    settings.select = select;
  }
  settings.ignore = config.get<string[]>('ignore', []);
  settings.severity = config.get<Record<string, string>>('severity', {});
  return settings;
}

/**
 * How the client gets its server: the user's own command, or the bundled server under the first usable
 * Python, whose process is already running (it was started to find that Python); a restart after a crash
 * starts another under the same Python.
 */
async function resolveServer(context: vscode.ExtensionContext): Promise<ServerOptions | undefined> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const serverCommand = config.get<string[]>('serverCommand', []).filter((s) => s.length > 0);
  if (serverCommand.length > 0) {
    log.info(`using ${SECTION}.serverCommand: ${JSON.stringify(serverCommand)}`);
    const executable: Executable = { command: serverCommand[0], args: serverCommand.slice(1) };
    return executable;
  }

  const libs = context.asAbsolutePath(path.join('bundled', 'libs'));
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (fs.existsSync(libs)) {
    // Bundled pure-Python packages first; the interpreter's own site-packages stay visible, so a
    // compiled ruamel.yaml.clib installed there is still used.
    env.PYTHONPATH = [libs, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter);
    // The .vsix ships bytecode for one Python version; another version compiles once and may keep its
    // bytecode in the extension's own folder, even where PYTHONDONTWRITEBYTECODE is set for projects:
    // otherwise every start recompiles lsprotocol and `initialize` takes seconds.
    delete env.PYTHONDONTWRITEBYTECODE;
  } else {
    log.warn(`no bundled server at ${libs}; expecting barrier_lint_server importable from the interpreter`);
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const cwd = folder?.scheme === 'file' && fs.existsSync(folder.fsPath) ? folder.fsPath : undefined;
  const first = await launchWithPython(env, cwd);
  if (!first) {
    return undefined;
  }
  let running: ChildProcess | undefined = first.process;
  return async () => {
    const child = running ?? (await spawnServer(first.python, env, cwd).catch((problem) => {
      throw new Error(`${first.python.join(' ')}: ${problem}`);
    }));
    running = undefined;
    serverProcess = child;
    return child;
  };
}

/**
 * The server started under barrierLint.interpreter, else the Python extension's interpreter, else python3:
 * the first that runs it (Python 3.10+). Each candidate is tried by starting the server itself, so the
 * usual case starts one process and waits for no probe.
 */
async function launchWithPython(
  env: NodeJS.ProcessEnv,
  cwd: string | undefined,
): Promise<{ python: string[]; process: ChildProcess } | undefined> {
  const configured = vscode.workspace.getConfiguration(SECTION).get<string>('interpreter', '').trim();
  const tried: string[] = [];
  const candidates: string[][] = configured
    ? [[configured]] // an explicit choice is not second-guessed
    : [...(await pythonExtensionInterpreter()), ['python3']];
  for (const candidate of candidates) {
    try {
      const child = await spawnServer(candidate, env, cwd);
      log.info(`Python: ${candidate.join(' ')}`);
      return { python: candidate, process: child };
    } catch (problem) {
      tried.push(`'${candidate.join(' ')}' (${String(problem)})`);
      log.warn(`not usable: ${candidate.join(' ')}: ${String(problem)}`);
    }
  }
  const choice = await vscode.window.showErrorMessage(
    `barrier-lint: no usable Python ${MIN_PYTHON}+ found to run the language server; tried ${tried.join(', ')}. ` +
      `Set "${SECTION}.interpreter" to a Python ${MIN_PYTHON}+ executable, or "${SECTION}.serverCommand" ` +
      `to an installed barrier-lint-server.`,
    'Open Settings',
  );
  if (choice === 'Open Settings') {
    void vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.interpreter`);
  }
  return undefined;
}

/**
 * Starts `python -m barrier_lint_server --announce`; resolves with the process once it has announced
 * itself (the interpreter runs and is 3.10+), rejects with a short reason when it cannot start, exits
 * first, or says nothing for 20 s.
 */
function spawnServer(python: string[], env: NodeJS.ProcessEnv, cwd: string | undefined): Promise<ChildProcess> {
  const args = [...python.slice(1), '-m', 'barrier_lint_server', '--announce'];
  log.info(`starting ${JSON.stringify([python[0], ...args])} ${since()}`);
  return new Promise((resolve, reject) => {
    const child = spawn(python[0], args, { env, cwd, stdio: 'pipe' });
    let stderr = '';
    const settle = (problem?: string) => {
      clearTimeout(timer);
      child.stderr.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
      if (problem === undefined) {
        resolve(child);
      } else {
        if (child.exitCode === null) child.kill();
        reject(problem);
      }
    };
    const onData = (chunk: Buffer) => {
      stderr += chunk.toString();
      const announced = ANNOUNCED.exec(stderr);
      if (announced) {
        log.info(`server process ${child.pid} running on ${announced[1]} ${since()}`);
        settle();
      }
    };
    const onExit = (code: number | null, signal: string | null) => {
      const last = stderr.trim().split('\n').pop();
      settle(code === TOO_OLD ? `older than ${MIN_PYTHON}` : `exited with ${code ?? signal}${last ? `: ${last}` : ''}`);
    };
    const onError = (err: NodeJS.ErrnoException) => settle(err.code === 'ENOENT' ? 'not found' : err.message);
    const timer = setTimeout(() => settle('did not start within 20 s'), 20000);
    child.stderr.on('data', onData);
    child.on('exit', onExit);
    child.on('error', onError);
  });
}

/** The interpreter selected in ms-python.python, when that extension is installed. */
async function pythonExtensionInterpreter(): Promise<string[][]> {
  const ext = vscode.extensions.getExtension('ms-python.python');
  if (!ext) {
    return [];
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const api: any = ext.isActive ? ext.exports : await ext.activate();
    const resource = vscode.workspace.workspaceFolders?.[0]?.uri;
    const environments = api?.environments;
    if (environments?.getActiveEnvironmentPath) {
      const active = environments.getActiveEnvironmentPath(resource);
      const resolved = await environments.resolveEnvironment(active);
      const executable: string | undefined = resolved?.executable?.uri?.fsPath ?? active?.path;
      if (executable) {
        return [[executable]];
      }
    }
    // Older releases of the Python extension.
    const execCommand: string[] | undefined = api?.settings?.getExecutionDetails?.(resource)?.execCommand;
    if (execCommand && execCommand.length > 0) {
      return [execCommand];
    }
  } catch (err) {
    log.warn(`could not ask ms-python.python for its interpreter: ${String(err)}`);
  }
  return [];
}

/**
 * Peek every Barrier step that shares the barrier under the cursor (on a `barrierRef` value or a
 * declaration's `identifier`): the server's references without the declaration.
 */
async function showParticipants(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const running = client;
  if (!editor || !running || !running.isRunning()) {
    void vscode.window.showInformationMessage('barrier-lint: open a pipeline YAML file first.');
    return;
  }
  if (!running.initializeResult?.capabilities.referencesProvider) {
    void vscode.window.showInformationMessage('barrier-lint: this server version does not list participants.');
    return;
  }
  const position = editor.selection.active;
  const result = await running.sendRequest(ReferencesRequest.type, {
    ...running.code2ProtocolConverter.asTextDocumentPositionParams(editor.document, position),
    context: { includeDeclaration: false },
  });
  const locations = (await running.protocol2CodeConverter.asReferences(result)) ?? [];
  if (locations.length === 0) {
    void vscode.window.showInformationMessage(
      'barrier-lint: put the cursor on a barrierRef value or a barrier identifier.',
    );
    return;
  }
  await vscode.commands.executeCommand('editor.action.showReferences', editor.document.uri, position, locations);
}
