// Seeds the code cache of the runner's bundle (dist/esb-e2e-run.cache): one real run of
// the built CLI on a throwaway two-env project whose compose, esb and pytest are instant
// shell stand-ins and whose Docker engine is a stub on a unix socket, so the runner's
// functions (phases, exec, reporters, engine questions) are compiled once here instead of
// on every run's first env. Nothing outside a temporary folder is touched.
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import { serveIdleEngine } from './idle-engine.mjs';

const FAKES = {
  compose: 'exit 0',
  esb: 'exit 0',
  // Lines pytest -v prints, so its progress parser is compiled too.
  python3: "printf 'collected 1 item\\n\\ntests/test_a.py::test_a PASSED [100%%]\\n\\n==== 1 passed in 0.01s ====\\n'",
};

export async function seedRunCache(cli) {
  const root = mkdtempSync(join(tmpdir(), 'esb-e2e-seed-'));
  try {
    const bin = join(root, 'bin');
    mkdirSync(bin);
    for (const [name, body] of Object.entries(FAKES)) {
      writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
      chmodSync(join(bin, name), 0o755);
    }
    mkdirSync(join(root, 'tests'));
    writeFileSync(join(root, 'template.yaml'), 'Resources: {}\n');
    const envs = ['seed-a', 'seed-b'];
    for (const env of envs) {
      mkdirSync(join(root, 'envs', env), { recursive: true });
      writeFileSync(join(root, 'envs', env, 'docker-compose.yml'), 'services: {}\n');
    }
    const matrix = [
      'suites:\n  smoke:\n    targets: [tests/]',
      'infra: false',
      `compose: [${join(bin, 'compose')}]`,
      `esb: ${join(bin, 'esb')}`,
      `python: ${join(bin, 'python3')}`,
      'matrix:',
      ...envs.map((env) => `  - env: ${env}\n    env_dir: envs/${env}\n    suites: [smoke]\n    deploy_templates: [template.yaml]`),
    ];
    writeFileSync(join(root, 'e2e-matrix.yaml'), matrix.join('\n') + '\n');

    const socket = join(root, 'docker.sock');
    const engine = await serveIdleEngine(socket);
    try {
      const code = await new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [resolvePath(cli), 'run'], {
          cwd: root,
          env: { PATH: `${bin}:/usr/bin:/bin`, HOME: join(root, 'home'), LANG: 'C.UTF-8', DOCKER_HOST: `unix://${socket}`, ESB_E2E_SEED_CACHE: 'esb-e2e-run' },
          stdio: 'ignore',
        });
        child.on('error', reject);
        child.on('exit', resolve);
      });
      if (code !== 0) throw new Error(`the seeding run of ${cli} exited with ${code}`);
    } finally {
      await engine.close();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
