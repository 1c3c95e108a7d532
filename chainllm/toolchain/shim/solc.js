#!/usr/bin/env node
// A native-looking `solc` executable backed by solcjs (the real compiler built to wasm).
// Answers the three calls tools make: --version, --standard-json and --combined-json.
// Every file read (inputs and imports) is confined to allowed roots: base path, include
// paths, --allow-paths and the folders of the input files, as native solc does.
'use strict';
const fs = require('fs');
const path = require('path');

function fail(msg, code) {
  process.stderr.write(msg + '\n');
  process.exitCode = code === undefined ? 1 : code;
}

const argv = process.argv.slice(2);
let moduleDir = null;
const files = [];
const opts = { basePath: null, includePaths: [], allowPaths: [], combined: null, standardJson: false,
  version: false, server: false, remaps: [], optimize: false, optimizeRuns: null, evmVersion: null, viaIR: false };
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  const next = () => { i += 1; if (i >= argv.length) throw new Error('missing value for ' + a); return argv[i]; };
  const eq = a.indexOf('=');
  const flag = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
  const inline = a.startsWith('--') && eq > 0 ? a.slice(eq + 1) : null;
  const val = () => (inline !== null ? inline : next());
  switch (flag) {
    case '--solcjs-module': moduleDir = val(); break;
    case '--version': case '-v': opts.version = true; break;
    case '--standard-json': opts.standardJson = true; break;
    case '--server': opts.server = true; break;
    case '--combined-json': opts.combined = val(); break;
    case '--base-path': opts.basePath = val(); break;
    case '--include-path': opts.includePaths.push(val()); break;
    case '--allow-paths': opts.allowPaths.push(...val().split(',').filter(Boolean)); break;
    case '--optimize': opts.optimize = true; break;
    case '--optimize-runs': opts.optimizeRuns = parseInt(val(), 10); break;
    case '--evm-version': opts.evmVersion = val(); break;
    case '--via-ir': opts.viaIR = true; break;
    case '--no-color': case '--pretty-json': case '--metadata-literal': case '--no-optimize-yul': break;
    default:
      if (a.startsWith('-')) { fail('solc (solcjs shim): unsupported option ' + a, 1); process.exit(); }
      if (a.includes('=') && !fs.existsSync(a)) opts.remaps.push(a); else files.push(a);
  }
}
if (!moduleDir) { fail('solc shim: --solcjs-module DIR is required (set by the generated wrapper)'); process.exit(); }
const solc = require(moduleDir);
const longVersion = solc.version();
const isLegacy = typeof solc.compileStandardWrapper === 'function' && /^0\.4\./.test(longVersion);
const shortVersion = longVersion.split('+')[0];
const [, minor] = shortVersion.split('.').map(Number);

if (opts.version) {
  process.stdout.write('solc, the solidity compiler commandline interface\nVersion: ' + longVersion.replace('.Emscripten.clang', '.Linux.g++') + '\n');
  process.exitCode = 0;
  return;
}

const real = (p) => { try { return fs.realpathSync(p); } catch (e) { return path.resolve(p); } };
const base = real(opts.basePath || process.cwd());
const includes = opts.includePaths.map(real);
// Like native solc: remapping targets are allowed automatically.
const remapTargets = opts.remaps.map((r) => r.slice(r.indexOf('=') + 1)).filter(Boolean).map((t) => real(path.resolve(base, t)));
const allowed = [base, ...includes, ...opts.allowPaths.map(real), ...remapTargets, ...files.map((f) => real(path.dirname(path.resolve(f))))];
const inside = (p) => allowed.some((root) => p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep));

function readImport(unit) {
  // chainllm's server mode sends every source with its content: no file is ever read.
  if (opts.server) return { error: 'File not found: ' + unit + ' (file access is disabled in --server mode)' };
  const candidates = path.isAbsolute(unit) ? [unit] : [path.join(base, unit), ...includes.map((d) => path.join(d, unit))];
  for (const c of candidates) {
    if (!fs.existsSync(c)) continue;
    const r = real(c);
    if (!inside(r)) return { error: 'File outside of allowed directories: ' + unit + ' (pass --allow-paths to permit it)' };
    if (!fs.statSync(r).isFile()) continue;
    return { contents: fs.readFileSync(r, 'utf8') };
  }
  return { error: 'File not found: ' + unit + ' (searched base path and include paths)' };
}

function compileStd(input) {
  const text = JSON.stringify(input);
  if (isLegacy) return JSON.parse(solc.compileStandardWrapper(text, readImport));
  if (minor === 5) return JSON.parse(solc.compile(text, readImport));
  return JSON.parse(solc.compile(text, { import: readImport }));
}

function writeOut(obj) {
  // exitCode, not exit(): exiting right after a large write truncates stdout at ~128 KB.
  process.stdout.write(JSON.stringify(obj));
}

function resolveUrls(input) {
  // Resolve "urls" entries ourselves (solcjs ignores them), under the same root rules.
  for (const [name, src] of Object.entries(input.sources || {})) {
    if (src.content === undefined && Array.isArray(src.urls) && src.urls.length) {
      const got = readImport(src.urls[0]);
      if (got.contents !== undefined) input.sources[name] = { content: got.contents };
    }
  }
  return input;
}

if (opts.server) {
  // chainllm's own mode: one standard-JSON request per line in, one answer per line out,
  // so a worker pays node start-up and the wasm load once, not per file.
  const rl = require('readline').createInterface({ input: process.stdin, crlfDelay: Infinity });
  rl.on('line', (line) => {
    if (!line.trim()) return;
    let answer;
    try { answer = compileStd(resolveUrls(JSON.parse(line))); } catch (e) {
      answer = { errors: [{ component: 'general', formattedMessage: String(e), message: String(e), severity: 'error', type: 'JSONError' }] };
    }
    process.stdout.write(JSON.stringify(answer) + '\n');
  });
  rl.on('close', () => { process.exitCode = 0; });
  return;
}

if (opts.standardJson) {
  const raw = fs.readFileSync(0, 'utf8');
  let input;
  try { input = JSON.parse(raw); } catch (e) {
    writeOut({ errors: [{ component: 'general', formattedMessage: 'Invalid JSON input: ' + e.message, message: 'Invalid JSON input', severity: 'error', type: 'JSONError' }] });
    process.exitCode = 0; return;
  }
  writeOut(compileStd(resolveUrls(input)));
  process.exitCode = 0;
  return;
}

if (opts.combined !== null) {
  const wanted = opts.combined.split(',').map((s) => s.trim());
  const sources = {};
  for (const f of files) {
    const got = readImport(path.resolve(f));
    if (got.error) { fail(f + ': ' + got.error); return; }
    sources[f] = { content: got.contents };
  }
  const sel = ['abi', 'metadata', 'devdoc', 'userdoc', 'evm.bytecode.object', 'evm.bytecode.sourceMap',
    'evm.deployedBytecode.object', 'evm.deployedBytecode.sourceMap', 'evm.methodIdentifiers'];
  const settings = { outputSelection: { '*': { '*': sel, '': ['ast', ...(minor < 8 ? ['legacyAST'] : [])] } },
    optimizer: { enabled: opts.optimize, runs: opts.optimizeRuns || 200 }, remappings: opts.remaps };
  if (opts.evmVersion) settings.evmVersion = opts.evmVersion;
  if (opts.viaIR) settings.viaIR = true;
  const out = compileStd({ language: 'Solidity', sources, settings });
  const errors = (out.errors || []);
  for (const e of errors) process.stderr.write((e.formattedMessage || e.message) + '\n');
  if (errors.some((e) => e.severity === 'error')) { process.exitCode = 1; return; }
  const asString = minor < 8; // solc < 0.8 prints abi/devdoc/userdoc/metadata as JSON strings
  const enc = (v) => (asString && typeof v !== 'string' ? JSON.stringify(v) : v);
  const contracts = {};
  for (const [file, cs] of Object.entries(out.contracts || {})) {
    for (const [name, c] of Object.entries(cs)) {
      const o = {};
      const evm = c.evm || {};
      if (wanted.includes('abi')) o.abi = enc(c.abi);
      if (wanted.includes('bin')) o.bin = (evm.bytecode || {}).object || '';
      if (wanted.includes('bin-runtime')) o['bin-runtime'] = (evm.deployedBytecode || {}).object || '';
      if (wanted.includes('srcmap')) o.srcmap = (evm.bytecode || {}).sourceMap || '';
      if (wanted.includes('srcmap-runtime')) o['srcmap-runtime'] = (evm.deployedBytecode || {}).sourceMap || '';
      if (wanted.includes('userdoc')) o.userdoc = enc(c.userdoc || {});
      if (wanted.includes('devdoc')) o.devdoc = enc(c.devdoc || {});
      if (wanted.includes('hashes')) o.hashes = evm.methodIdentifiers || {};
      if (wanted.includes('metadata')) o.metadata = c.metadata || '';
      contracts[file + ':' + name] = o;
    }
  }
  const srcs = {};
  const wantsAst = wanted.includes('ast');
  const compact = wanted.includes('compact-format') || minor >= 8;
  for (const [file, s] of Object.entries(out.sources || {})) {
    srcs[file] = { id: s.id };
    if (wantsAst) srcs[file].AST = compact ? s.ast : (s.legacyAST || s.ast);
  }
  const sourceList = Object.entries(out.sources || {}).sort((a, b) => a[1].id - b[1].id).map((e) => e[0]);
  writeOut({ contracts, sources: srcs, sourceList, version: longVersion });
  process.exitCode = 0;
  return;
}

fail('solc (solcjs shim): give --version, --standard-json or --combined-json', 1);
