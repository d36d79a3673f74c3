#!/usr/bin/env node
// Copies the mermaid library's browser bundle (the devDependency in package.json, pinned by
// package-lock.json) into out/vendor, from where the synchronization graph webview loads it: the
// extension draws offline, and the .vsix carries one file instead of mermaid's node_modules tree.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const source = path.join(root, 'node_modules', 'mermaid', 'dist', 'mermaid.min.js');
const target = path.join(root, 'out', 'vendor', 'mermaid.min.js');
if (!fs.existsSync(source)) {
  console.error(`missing ${source}: run npm ci in editors/vscode first`);
  process.exit(1);
}
fs.mkdirSync(path.dirname(target), { recursive: true });
fs.copyFileSync(source, target);
const { version } = require(path.join(root, 'node_modules', 'mermaid', 'package.json'));
console.log(`vendored mermaid ${version}: ${path.relative(root, target)} (${fs.statSync(target).size} bytes)`);
