#!/usr/bin/env node
// Apollo's query planner (@apollo/query-planner, as Apollo Gateway runs it) on a supergraph,
// without running any subgraph: prints the plan of each query in Apollo's text form.
//   node plan.mjs --supergraph supergraph.graphql 'query text' ['query text' ...]
//   node plan.mjs --supergraph supergraph.graphql --json < queries.json   (["q1", "q2"] -> [plan|{error}])
// Exit 2 on bad arguments or an unreadable/invalid supergraph.
import { readFileSync } from 'node:fs';
import { Supergraph, operationFromDocument } from '@apollo/federation-internals';
import { QueryPlanner, prettyFormatQueryPlan } from '@apollo/query-planner';
import { parse } from 'graphql';

function usage(msg) {
  if (msg) console.error(`plan.mjs: ${msg}`);
  console.error("usage: node plan.mjs --supergraph FILE [--json] ['query' ...]");
  process.exit(2);
}

const argv = process.argv.slice(2);
let file;
let json = false;
const queries = [];
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--supergraph') file = argv[++i];
  else if (a === '--json') json = true;
  else if (a === '-h' || a === '--help') usage();
  else queries.push(a);
}
if (!file) usage('--supergraph FILE is required');

let planner;
let supergraph;
try {
  supergraph = Supergraph.build(readFileSync(file, 'utf8'));
  planner = new QueryPlanner(supergraph);
} catch (e) {
  usage(`invalid supergraph ${file}: ${e.message}`);
}

function planOf(query) {
  try {
    const operation = operationFromDocument(supergraph.schema, parse(query), { validate: true });
    return prettyFormatQueryPlan(planner.buildQueryPlan(operation));
  } catch (e) {
    return { error: String(e.message || e) };
  }
}

if (json) {
  const input = JSON.parse(readFileSync(0, 'utf8'));
  process.stdout.write(JSON.stringify(input.map(planOf)) + '\n');
} else {
  for (const query of queries) {
    const plan = planOf(query);
    console.log(typeof plan === 'string' ? plan : `error: ${plan.error}`);
  }
}
