#!/usr/bin/env node
// Load generator for python -m bench: autocannon (from ../shared/peers) cycling through a mix
// of GraphQL POST bodies, in its own process so that it is never part of what is measured.
//   node bench/loadgen.mjs --peers DIR URL --bodies FILE.json [-c 20] [-d 8]
// FILE.json is a JSON array of requests: a GraphQL POST body ({"query": ..., "variables": ...}),
// or {"http": {"method": "GET"|"POST", "search": "?...", "headers": {...}, "body": {...}}} for
// another method, URL parameters or extra headers (bench/request_shapes.py). Each
// connection walks the mix from its own random starting point, so connections do not send
// identical requests in lockstep (which would flatter a router that deduplicates in-flight
// requests). Up to 20 bodies, evenly spread over the mix, are sent once first; an answer
// that is not HTTP 200 with data and no errors aborts (exit 1) with the answer on stderr. Prints one JSON object: req/s, latency percentiles (ms), errors.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

function usage(message) {
  console.error(`loadgen.mjs: ${message}`);
  console.error('usage: node loadgen.mjs --peers DIR URL --bodies FILE.json [-c N] [-d SECONDS]');
  process.exit(2);
}

const argv = process.argv.slice(2);
const options = { connections: 20, duration: 8 };
for (let i = 0; i < argv.length; i++) {
  const arg = argv[i];
  if (arg === '--peers') options.peers = argv[++i];
  else if (arg === '--bodies') options.bodies = argv[++i];
  else if (arg === '-c') options.connections = Number(argv[++i]);
  else if (arg === '-d') options.duration = Number(argv[++i]);
  else if (!arg.startsWith('-') && !options.url) options.url = arg;
  else usage(`unknown argument ${arg}`);
}
if (!options.peers || !options.url || !options.bodies) usage('--peers, URL and --bodies are required');
if (new URL(options.url).hostname !== '127.0.0.1') usage('only 127.0.0.1 targets are allowed');

const autocannon = createRequire(join(options.peers, 'package.json'))('autocannon');
const target = new URL(options.url);

// One prepared request per entry of the file: method, path (with the URL parameters), headers, body.
function prepare(entry) {
  const http = entry.http ?? { method: 'POST', body: entry };
  const method = http.method ?? 'POST';
  const headers = { accept: 'application/json', ...(http.headers ?? {}) };
  if (method === 'POST') headers['content-type'] = 'application/json';
  const body = http.body === undefined || method === 'GET' ? undefined : JSON.stringify(http.body);
  return { method, path: target.pathname + (http.search ?? ''), headers, body };
}

const bodies = JSON.parse(readFileSync(options.bodies, 'utf8')).map(prepare);
if (bodies.length === 0) usage('no request bodies');

const stride = Math.ceil(bodies.length / 20);
const probes = bodies.filter((_, index) => index % stride === 0);
for (const probe of probes) {
  const { method, path, headers, body } = probe;
  const answer = await fetch(new URL(path, target), { method, headers, body }).catch((error) => {
    console.error(`loadgen.mjs: probe failed: ${error?.cause?.message ?? error.message}`);
    process.exit(1);
  });
  const text = await answer.text();
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {}
  if (answer.status !== 200 || !parsed?.data || parsed.errors) {
    console.error(`loadgen.mjs: probe answer not clean (HTTP ${answer.status}): ${text.slice(0, 800)}`);
    process.exit(1);
  }
}

function nextBody(request, context) {
  if (context.next === undefined) context.next = Math.floor(Math.random() * bodies.length);
  const { method, path, headers, body } = bodies[context.next++ % bodies.length];
  return { ...request, method, path, headers, body };
}

const result = await autocannon({
  url: options.url,
  connections: options.connections,
  duration: options.duration,
  requests: [{ setupRequest: nextBody }],
});
console.log(
  JSON.stringify({
    probes: probes.length,
    requestsPerSecond: result.requests.average,
    totalRequests: result.requests.total,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
  }),
);
