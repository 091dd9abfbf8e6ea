// The Edict extension's client: starts `edict lsp` (the path is the `edict.server.path`
// setting) for `.edict` files, and stops it with the editor.

import { ExtensionContext, window, workspace } from "vscode";
import {
  Executable,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;

export async function activate(context: ExtensionContext): Promise<void> {
  const config = workspace.getConfiguration("edict");
  const command = config.get<string>("server.path", "edict");
  const extra = config.get<string[]>("server.extraArgs", []);
  const run: Executable = { command, args: ["lsp", ...extra] };
  const serverOptions: ServerOptions = { run, debug: run };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: "file", language: "edict" }],
    synchronize: {
      fileEvents: workspace.createFileSystemWatcher("**/*.{edict,txt}"),
    },
  };
  client = new LanguageClient("edict", "Edict", serverOptions, clientOptions);
  try {
    await client.start();
  } catch (error) {
    window.showErrorMessage(
      `Edict: cannot start \`${command} lsp\` (set \`edict.server.path\`): ${error}`,
    );
  }
  context.subscriptions.push({ dispose: () => void client?.stop() });
}

export async function deactivate(): Promise<void> {
  if (client) {
    await client.stop();
  }
}
