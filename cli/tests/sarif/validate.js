// Validates SARIF logs against the SARIF 2.1.0 schema shipped in the `@microsoft/jest-sarif`
// package (its `sarif-2.1.0-rtm.5.json`, a draft-04 JSON schema), with ajv.
//
// usage: node validate.js LOG.sarif…   (exit 0: all valid; 1: a log is invalid, with the errors)
'use strict';

const fs = require('fs');
const path = require('path');
const Ajv = require('ajv');

const schemaPath = path.join(
  path.dirname(require.resolve('@microsoft/jest-sarif/package.json')),
  'lib', 'schemas', 'sarif-2.1.0-rtm.5.json');
const schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8'));

const ajv = new Ajv({ schemaId: 'id', allErrors: true, format: 'full', logger: false });
ajv.addMetaSchema(require('ajv/lib/refs/json-schema-draft-04.json'));
const validate = ajv.compile(schema);

let failed = false;
for (const file of process.argv.slice(2)) {
  const log = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (!validate(log)) {
    failed = true;
    console.error(`${file}: not a valid SARIF 2.1.0 log`);
    for (const e of validate.errors) {
      console.error(`  ${e.dataPath || '(root)'} ${e.message}`);
    }
  }
}
if (!failed) {
  console.log(`${process.argv.length - 2} SARIF logs valid against ${schema.title}`);
}
process.exit(failed ? 1 : 0);
