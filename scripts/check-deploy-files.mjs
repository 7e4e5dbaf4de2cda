#!/usr/bin/env node
// Validates the Dockerfile and docker-compose.yml without Docker (it cannot run on the development machine):
// the Dockerfile's instructions are known and well-formed (stages, COPY --from, exec-form JSON, a non-root USER);
// the compose file parses as YAML and its services, volumes and dependencies refer to each other consistently.
// Usage: node scripts/check-deploy-files.mjs [Dockerfile] [docker-compose.yml]   → "ok" and exit 0, or errors, exit 1.
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';

const [dockerfilePath = 'Dockerfile', composePath = 'docker-compose.yml'] = process.argv.slice(2);
const errors = [];
const fail = (file, message) => errors.push(`${file}: ${message}`);

const INSTRUCTIONS = new Set([
  'FROM',
  'RUN',
  'CMD',
  'LABEL',
  'MAINTAINER',
  'EXPOSE',
  'ENV',
  'ADD',
  'COPY',
  'ENTRYPOINT',
  'VOLUME',
  'USER',
  'WORKDIR',
  'ARG',
  'ONBUILD',
  'STOPSIGNAL',
  'HEALTHCHECK',
  'SHELL',
]);
const EXEC_FORM = new Set(['CMD', 'ENTRYPOINT', 'SHELL', 'VOLUME']);

/** Logical instructions: comments dropped, backslash continuations joined; each with its first line number. */
function dockerInstructions(text) {
  const out = [];
  let current = null;
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (current === null && (line === '' || line.startsWith('#'))) continue;
    if (current !== null && line.startsWith('#')) continue;
    const continued = line.endsWith('\\');
    const body = continued ? line.slice(0, -1) : line;
    if (current === null) current = { line: index + 1, text: body };
    else current.text += ` ${body}`;
    if (!continued) {
      out.push(current);
      current = null;
    }
  }
  if (current !== null) out.push(current);
  return out;
}

function checkDockerfile(file) {
  if (!existsSync(file)) return fail(file, 'missing');
  const instructions = dockerInstructions(readFileSync(file, 'utf8'));
  const stages = new Set();
  let sawFrom = false;
  let user = null;
  for (const { line, text } of instructions) {
    const match = /^([A-Za-z]+)\s*(.*)$/.exec(text);
    const keyword = match?.[1]?.toUpperCase();
    const args = match?.[2]?.trim() ?? '';
    const where = `line ${line}`;
    if (!keyword || !INSTRUCTIONS.has(keyword)) {
      fail(file, `${where}: unknown instruction "${text.split(/\s/)[0]}"`);
      continue;
    }
    if (!sawFrom && keyword !== 'FROM' && keyword !== 'ARG')
      fail(file, `${where}: ${keyword} before the first FROM`);
    if (args === '' && keyword !== 'HEALTHCHECK') fail(file, `${where}: ${keyword} without arguments`);
    if (keyword === 'FROM') {
      sawFrom = true;
      user = null;
      const from = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!from) fail(file, `${where}: FROM must be "image [AS name]"`);
      else if (from[2]) stages.add(from[2]);
    }
    if (keyword === 'COPY' || keyword === 'ADD') {
      const fromStage = /--from=(\S+)/.exec(args)?.[1];
      if (fromStage && !stages.has(fromStage) && !fromStage.includes(':') && !fromStage.includes('/'))
        fail(file, `${where}: COPY --from=${fromStage} names no earlier stage`);
      const parts = args.split(/\s+/).filter((p) => !p.startsWith('--'));
      if (parts.length < 2) fail(file, `${where}: ${keyword} needs a source and a destination`);
    }
    if (EXEC_FORM.has(keyword) && args.startsWith('[')) {
      try {
        const value = JSON.parse(args);
        if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
          fail(file, `${where}: ${keyword} exec form must be a JSON array of strings`);
      } catch {
        fail(file, `${where}: ${keyword} looks like exec form but is not valid JSON`);
      }
    }
    if (keyword === 'HEALTHCHECK') {
      const cmd = /\bCMD\s+(.*)$/.exec(args)?.[1];
      if (!/^NONE$/i.test(args) && !cmd) fail(file, `${where}: HEALTHCHECK needs CMD … or NONE`);
      if (cmd?.startsWith('[')) {
        try {
          JSON.parse(cmd);
        } catch {
          fail(file, `${where}: HEALTHCHECK CMD exec form is not valid JSON`);
        }
      }
    }
    if (keyword === 'EXPOSE' && !args.split(/\s+/).every((p) => /^\d{1,5}(\/(tcp|udp))?$/.test(p)))
      fail(file, `${where}: EXPOSE takes port numbers`);
    if (keyword === 'ENV' && !/^[A-Za-z_][A-Za-z0-9_]*[= ]/.test(args))
      fail(file, `${where}: ENV needs NAME=value`);
    if (keyword === 'USER') user = args;
  }
  if (!sawFrom) fail(file, 'no FROM instruction');
  if (user === null || /^(root|0)(:|$)/.test(user))
    fail(file, 'the final stage must switch to a non-root USER');
}

const COMPOSE_TOP = new Set([
  'version',
  'name',
  'services',
  'volumes',
  'networks',
  'configs',
  'secrets',
  'include',
]);

function checkCompose(file) {
  if (!existsSync(file)) return fail(file, 'missing');
  let doc;
  try {
    doc = parse(readFileSync(file, 'utf8'), { prettyErrors: true });
  } catch (error) {
    return fail(file, `not valid YAML: ${error.message}`);
  }
  if (!doc || typeof doc !== 'object') return fail(file, 'empty or not a mapping');
  for (const key of Object.keys(doc))
    if (!COMPOSE_TOP.has(key) && !key.startsWith('x-')) fail(file, `unknown top-level key "${key}"`);
  const services = doc.services ?? {};
  if (typeof services !== 'object' || Object.keys(services).length === 0) return fail(file, 'no services');
  const names = new Set(Object.keys(services));
  const declaredVolumes = new Set(Object.keys(doc.volumes ?? {}));
  const usedVolumes = new Set();
  for (const [name, service] of Object.entries(services)) {
    const where = `services.${name}`;
    if (!service || typeof service !== 'object') {
      fail(file, `${where}: not a mapping`);
      continue;
    }
    if (!service.image && !service.build) fail(file, `${where}: needs image or build`);
    if (typeof service.build === 'string' && !existsSync(service.build))
      fail(file, `${where}: build context ${service.build} missing`);
    const deps = Array.isArray(service.depends_on)
      ? service.depends_on
      : Object.keys(service.depends_on ?? {});
    for (const dep of deps) if (!names.has(dep)) fail(file, `${where}: depends_on unknown service "${dep}"`);
    for (const volume of service.volumes ?? []) {
      const source = typeof volume === 'string' ? volume.split(':')[0] : volume?.source;
      const target = typeof volume === 'string' ? volume.split(':')[1] : volume?.target;
      if (!target?.startsWith('/'))
        fail(file, `${where}: volume "${JSON.stringify(volume)}" needs an absolute target`);
      if (source && !/^[./~]/.test(source)) {
        usedVolumes.add(source);
        if (!declaredVolumes.has(source))
          fail(file, `${where}: named volume "${source}" not declared under volumes:`);
      }
    }
    for (const port of service.ports ?? []) {
      if (
        !/^(\d{1,5}(-\d{1,5})?:)?\d{1,5}(-\d{1,5})?(\/(tcp|udp))?$/.test(
          String(port).replace(/^[\d.]+:(?=\d+:)/, ''),
        )
      )
        fail(file, `${where}: port "${port}" is malformed`);
    }
    const env = service.environment ?? {};
    const redisUrl = Array.isArray(env)
      ? env.find((e) => String(e).startsWith('REDIS_URL='))?.split('=')[1]
      : env.REDIS_URL;
    const host = redisUrl && /^rediss?:\/\/([^:/]+)/.exec(redisUrl)?.[1];
    if (host && !names.has(host) && host !== 'localhost' && !/^[\d.]+$/.test(host))
      fail(file, `${where}: REDIS_URL host "${host}" is not a service`);
    if (service.deploy?.replicas !== undefined && !Number.isInteger(service.deploy.replicas))
      fail(file, `${where}: deploy.replicas must be an integer`);
  }
  for (const volume of declaredVolumes)
    if (!usedVolumes.has(volume)) fail(file, `volume "${volume}" is declared but unused`);
  // AgentGraph's own rule: every process that runs questions or serves them shares the same DATA_DIR volume.
  const dataMounts = Object.entries(services)
    .filter(([, s]) => (s.environment?.DATA_DIR ?? null) !== null)
    .map(([name, s]) => ({
      name,
      mount: (s.volumes ?? []).map(String).find((v) => v.split(':')[1] === s.environment.DATA_DIR),
    }));
  for (const { name, mount } of dataMounts)
    if (!mount) fail(file, `services.${name}: no volume mounted at its DATA_DIR`);
  const sources = new Set(dataMounts.filter((d) => d.mount).map((d) => d.mount.split(':')[0]));
  if (sources.size > 1) fail(file, `services do not share one DATA_DIR volume: ${[...sources].join(', ')}`);
}

checkDockerfile(dockerfilePath);
checkCompose(composePath);
if (errors.length) {
  for (const error of errors) process.stderr.write(`${error}\n`);
  process.exit(1);
}
process.stdout.write(`ok: ${dockerfilePath}, ${composePath}\n`);
