#!/usr/bin/env node
// ts_validate.js is the ts-tracking-number side of bench/validate: it reads
// a file of tracking numbers, one a line, and writes one JSON line per input
// to standard output:
//
//   {"valid":true,"carrier":"ups","service":"UPS"}
//   {"valid":false,"carrier":null,"service":null}
//
// carrier is the courier code of the first matching definition (what the
// library's getTracking returns), service the name of that definition.
//
// Usage: node bench/validate/ts_validate.js NUMBERS_FILE > ts.out
//
// The library is looked up the normal way and then in bench/validate/out/node,
// where bench/validate/run installs it (TS_TRACKING_NUMBER_PREFIX overrides).
'use strict';

const fs = require('fs');
const path = require('path');
const readline = require('readline');

function loadLibrary() {
  const paths = [];
  if (process.env.TS_TRACKING_NUMBER_PREFIX) {
    paths.push(process.env.TS_TRACKING_NUMBER_PREFIX);
  }
  paths.push(__dirname, path.join(__dirname, 'out', 'node'));
  return require(require.resolve('ts-tracking-number', { paths }));
}

function main() {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node ts_validate.js NUMBERS_FILE\n');
    process.exit(2);
  }
  const { getTracking } = loadLibrary();

  const rl = readline.createInterface({
    input: fs.createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 16 }),
    crlfDelay: Infinity,
  });

  // Output is batched so the benchmark measures validation, not one write
  // system call per line.
  let chunk = [];
  const flush = () => {
    if (chunk.length > 0) {
      process.stdout.write(chunk.join(''));
      chunk = [];
    }
  };

  rl.on('line', (line) => {
    let result;
    try {
      result = getTracking(line);
    } catch (e) {
      result = undefined; // a throw on hostile input counts as "invalid"
    }
    chunk.push(result
      ? JSON.stringify({ valid: true, carrier: result.courier.code, service: result.name }) + '\n'
      : '{"valid":false,"carrier":null,"service":null}\n');
    if (chunk.length >= 4096) {
      flush();
    }
  });
  rl.on('close', flush);
}

main();
