// barrier-lint for VS Code: starts the barrier-lint language server (Python, stdio) for YAML files.
// The server decides which YAML documents are Harness pipelines; this extension only finds a Python,
// starts the server and passes the user's settings on.
import * as fs from 'fs';
import * as path from 'path';
import { execFile } from 'child_process';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  LanguageClientOptions,
  ReferencesRequest,
  ServerOptions,
  State,
} from 'vscode-languageclient/node';
import { registerGraphView } from './graphView';

const SECTION = 'barrierLint';
const MIN_PYTHON = '3.10';
// Exit status 0 when the interpreter is new enough, 1 otherwise.
const VERSION_CHECK = 'import sys; sys.exit(sys.version_info < (3, 10))';

// The settings that configure the analysis; the others (interpreter, serverCommand, trace) are the
// extension's own and are never sent to the server, which rejects keys it does not know.
const ANALYSIS_KEYS = ['select', 'ignore', 'severity'] as const;

let client: LanguageClient | undefined;
let log: vscode.LogOutputChannel;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  log = vscode.window.createOutputChannel('barrier-lint', { log: true });
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
  await start(context);
}

export async function deactivate(): Promise<void> {
  await stop();
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  await stop();
  await start(context);
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running && running.state !== State.Stopped) {
    await running.stop();
  }
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const serverOptions = await resolveServer(context);
  if (!serverOptions) {
    return; // the user has been told why
  }
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'yaml' },
      { scheme: 'untitled', language: 'yaml' },
    ],
    initializationOptions: analysisSettings(vscode.workspace.getConfiguration(SECTION)),
    middleware: {
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
    log.info('language server started');
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

/** The command that starts the server: the user's own, or the bundled one under a usable Python. */
async function resolveServer(context: vscode.ExtensionContext): Promise<ServerOptions | undefined> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const serverCommand = config.get<string[]>('serverCommand', []).filter((s) => s.length > 0);
  if (serverCommand.length > 0) {
    log.info(`using ${SECTION}.serverCommand: ${JSON.stringify(serverCommand)}`);
    return { command: serverCommand[0], args: serverCommand.slice(1) };
  }

  const python = await findPython();
  if (!python) {
    return undefined;
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
    log.warn(`no bundled server at ${libs}; expecting barrier_lint_server importable from ${python[0]}`);
  }
  log.info(`starting ${JSON.stringify([...python, '-m', 'barrier_lint_server'])}`);
  return {
    command: python[0],
    args: [...python.slice(1), '-m', 'barrier_lint_server'],
    options: { env },
  };
}

/** barrierLint.interpreter, else the Python extension's interpreter, else python3: the first that is 3.10+. */
async function findPython(): Promise<string[] | undefined> {
  const configured = vscode.workspace.getConfiguration(SECTION).get<string>('interpreter', '').trim();
  const tried: string[] = [];
  const candidates: string[][] = configured
    ? [[configured]] // an explicit choice is not second-guessed
    : [...(await pythonExtensionInterpreter()), ['python3']];
  for (const candidate of candidates) {
    const problem = await checkPython(candidate);
    if (problem === undefined) {
      log.info(`Python: ${candidate.join(' ')}`);
      return candidate;
    }
    tried.push(`'${candidate.join(' ')}' (${problem})`);
    log.warn(`not usable: ${candidate.join(' ')}: ${problem}`);
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

/** Undefined when `python` runs and is 3.10+, else a short reason. */
function checkPython(python: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(python[0], [...python.slice(1), '-c', VERSION_CHECK], { timeout: 20000 }, (err) => {
      if (!err) {
        resolve(undefined);
      } else if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        resolve('not found');
      } else if (typeof err.code === 'number' && err.code === 1) {
        resolve(`older than ${MIN_PYTHON}`);
      } else {
        resolve(err.message.split('\n')[0]);
      }
    });
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
