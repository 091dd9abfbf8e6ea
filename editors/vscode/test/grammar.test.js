// The TextMate grammar, headless: vscode-textmate with the oniguruma regex engine (as VS Code
// runs it) tokenizes every `.edict` file of the policy library. Keywords in both languages,
// strings, numbers, comments and clause headers must get their scopes; the scopes of every
// token are snapshotted in test/snapshots/ (rewrite them with UPDATE_SNAPSHOTS=1 and review
// the diff).
'use strict';

const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const test = require('node:test');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const ROOT = path.join(__dirname, '..');
const POLICIES = path.join(ROOT, '..', '..', 'policies');
const SNAPSHOTS = path.join(__dirname, 'snapshots');

async function loadGrammar() {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')).buffer;
  await oniguruma.loadWASM(wasm);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources) => new oniguruma.OnigScanner(sources),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName) => {
      if (scopeName !== 'source.edict') return null;
      const file = path.join(ROOT, 'syntaxes', 'edict.tmLanguage.json');
      return vsctm.parseRawGrammar(fs.readFileSync(file, 'utf8'), file);
    },
  });
  return registry.loadGrammar('source.edict');
}

/** Every token of a text: line, column, text and scopes (without the root scope). */
function tokenize(grammar, text) {
  const out = [];
  let stack = vsctm.INITIAL;
  text.split('\n').forEach((line, n) => {
    const result = grammar.tokenizeLine(line, stack);
    for (const t of result.tokens) {
      const value = line.slice(t.startIndex, t.endIndex);
      out.push({ line: n + 1, column: t.startIndex + 1, text: value, scopes: t.scopes.slice(1) });
    }
    stack = result.ruleStack;
  });
  return out;
}

function libraryFiles(dir) {
  const found = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...libraryFiles(full));
    else if (entry.name.endsWith('.edict')) found.push(full);
  }
  return found;
}

const has = (token, scope) => token.scopes.some((s) => s.startsWith(scope));

test('snippets in both keyword languages get their scopes', async () => {
  const grammar = await loadGrammar();
  const text = [
    'article 7 "Minors" {',
    '  rule guardian-consent:',
    '    on enrollment e',
    '    when e.age < 14 and has(e.consent) // a comment',
    '    require deletion d where d.x == e.x within 30 working days after e',
    '    message "a \\"quoted\\" word"',
    '}',
    '第七条 "未成年人" {',
    '  规则 监护人同意:',
    '    对于 enrollment e',
    '    当 e.age < 14 并且 存在(e.consent)',
    '    应当 deletion d 满足 d.x == e.x 自 e 之后 30 个工作日 以内',
    '    中文说明 "说明"',
    '}',
    '第？条 minors { not_checkable "x" }',
    'article ? minors {}',
    'const LIMIT = 100_000',
    'regulation r { effective 2025-06-01 }',
  ].join('\n');
  const tokens = tokenize(grammar, text);
  const find = (line, word) => {
    const t = tokens.find((x) => x.line === line && (x.text === word || x.text.trim().split(/\s+/).includes(word)));
    assert.ok(t, `no token \`${word}\` on line ${line}`);
    return t;
  };
  for (const [line, word] of [[3, 'on'], [4, 'when'], [5, 'require'], [5, 'where'], [5, 'within'],
    [5, 'after'], [10, '对于'], [11, '当'], [12, '应当'], [12, '满足'], [12, '自'], [12, '之后'], [12, '以内']]) {
    assert.ok(has(find(line, word), 'keyword.control'), `${word}: ${find(line, word).scopes}`);
  }
  assert.ok(has(find(2, 'rule'), 'keyword.control.rule'));
  assert.ok(has(find(2, 'guardian-consent'), 'entity.name.function.rule'));
  assert.ok(has(find(9, '规则'), 'keyword.control.rule'));
  assert.ok(has(find(9, '监护人同意'), 'entity.name.function.rule'));
  assert.ok(has(find(4, 'and'), 'keyword.operator.logical'));
  assert.ok(has(find(11, '并且'), 'keyword.operator.logical'));
  assert.ok(has(find(11, '存在'), 'keyword.operator.logical'));
  assert.ok(has(find(5, 'working days'), 'keyword.other.unit'));
  assert.ok(has(find(12, '个工作日'), 'keyword.other.unit'));
  assert.ok(has(find(13, '中文说明'), 'keyword.other'));
  // Clause headers.
  assert.ok(has(find(1, 'article'), 'keyword.other.clause'));
  assert.ok(has(find(1, '7'), 'constant.numeric.clause'));
  assert.ok(has(find(8, '第'), 'keyword.other.clause'));
  assert.ok(has(find(8, '七'), 'constant.numeric.clause'));
  assert.ok(has(find(8, '条'), 'keyword.other.clause'));
  assert.ok(has(find(15, 'minors'), 'entity.name.section.clause'));
  assert.ok(has(find(16, 'minors'), 'entity.name.section.clause'));
  // Strings, escapes, comments, numbers.
  assert.ok(has(find(1, 'Minors'), 'string.quoted.double'));
  assert.ok(has(find(6, '\\"'), 'constant.character.escape'));
  assert.ok(has(find(4, ' a comment'), 'comment.line.double-slash'));
  assert.ok(has(find(4, '14'), 'constant.numeric.integer'));
  assert.ok(has(find(17, '100_000'), 'constant.numeric.integer'));
  assert.ok(has(find(18, '2025-06-01'), 'constant.numeric.date'));
  // Names are not keywords, even when they contain one.
  assert.ok(!has(find(3, 'enrollment'), 'keyword'));
  assert.ok(!has(find(2, 'guardian-consent'), 'keyword'));
});

test('every file of the policy library: comments, strings and clause headers, snapshotted', async () => {
  const grammar = await loadGrammar();
  const files = libraryFiles(POLICIES);
  assert.ok(files.length >= 10, `only ${files.length} library files`);
  const update = process.env.UPDATE_SNAPSHOTS === '1';
  fs.mkdirSync(SNAPSHOTS, { recursive: true });
  const expected = new Set();
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const tokens = tokenize(grammar, text);
    // Every comment of the file is a comment, every string a string, every header a header.
    text.split('\n').forEach((line, i) => {
      const inLine = tokens.filter((t) => t.line === i + 1);
      const comment = line.indexOf('//');
      if (comment === 0 || (comment > 0 && line.trimStart().startsWith('//'))) {
        assert.ok(inLine.filter((t) => t.text.trim()).every((t) => has(t, 'comment')),
          `${file}:${i + 1} is a comment`);
      }
      const header = line.match(/^\s*(article|paragraph|item)\s+(\d+)/) || line.match(/^\s*第([零〇一二两三四五六七八九十百千0-9]+)[条款项]/);
      if (header) {
        assert.ok(inLine.some((t) => has(t, 'constant.numeric.clause')), `${file}:${i + 1}: ${line}`);
      }
    });
    for (const t of tokens) {
      if (t.text.startsWith('"') && t.text.length > 0 && !has(t, 'comment')) {
        assert.ok(has(t, 'string.quoted.double'), `${file}:${t.line}:${t.column} ${t.text}`);
      }
    }
    const lines = tokens
      .filter((t) => t.scopes.length > 0 && t.text.trim() !== '')
      .map((t) => `${t.line}:${t.column} ${JSON.stringify(t.text)} ${t.scopes.join(' ')}`);
    const name = path.relative(POLICIES, file).split(path.sep).join('__') + '.snap';
    expected.add(name);
    const snapshot = path.join(SNAPSHOTS, name);
    const actual = lines.join('\n') + '\n';
    if (update || !fs.existsSync(snapshot)) {
      assert.ok(update, `no snapshot ${name}: run with UPDATE_SNAPSHOTS=1 and review it`);
      fs.writeFileSync(snapshot, actual);
      continue;
    }
    assert.strictEqual(actual, fs.readFileSync(snapshot, 'utf8'), `scopes of ${name} changed (UPDATE_SNAPSHOTS=1 rewrites)`);
  }
  const stale = fs.readdirSync(SNAPSHOTS).filter((n) => !expected.has(n));
  assert.deepStrictEqual(stale, [], 'snapshots of files that are gone');
});
