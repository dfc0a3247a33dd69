// Planning step: the shared registry, from the matrix's `infra` (or `infra: false`), else
// ESB's default docker-compose.infra.yml at the project root when there is one.
import { resolve } from 'node:path';
import { DEFAULT_INFRA_CONTAINER, DEFAULT_INFRA_FILE } from '../esb/layout';
import type { ProjectReader } from '../io/reader';
import { expand } from './env';
import type { Matrix } from './matrix-schema';
import type { InfraPlan } from './types';

export function planInfra(
  infra: Matrix['infra'],
  dir: string,
  root: string,
  registryPort: number,
  reader: ProjectReader,
  testOnly: boolean,
  notices: string[],
  /** ESB's current layout: the registry container's name (REGISTRY_CONTAINER_NAME), else the default. */
  currentContainer?: string,
): InfraPlan | null {
  if (infra === false || testOnly) return null;
  const readyDefault = `http://127.0.0.1:${registryPort}/v2/`;
  const lookup = (name: string) => (name === 'PORT_REGISTRY' ? String(registryPort) : undefined);
  if (infra) {
    return {
      composeFile: resolve(dir, infra.compose_file),
      project: infra.project,
      services: infra.services,
      readyUrl: infra.ready_url ? expand(infra.ready_url, lookup, 'infra.ready_url') : readyDefault,
      readyTimeout: infra.ready_timeout,
      container: infra.container === null ? null : (infra.container ?? DEFAULT_INFRA_CONTAINER),
      alias: infra.alias,
    };
  }
  const file = resolve(root, DEFAULT_INFRA_FILE);
  if (reader.kind(file) !== 'file') {
    notices.push(`no ${DEFAULT_INFRA_FILE} at the project root: shared registry skipped`);
    return null;
  }
  return {
    composeFile: file,
    // The current layout names no compose project for it: it is known by its container.
    project: currentContainer ?? 'esb-infra',
    services: ['registry'],
    readyUrl: readyDefault,
    readyTimeout: 60,
    container: currentContainer ?? DEFAULT_INFRA_CONTAINER,
    alias: 'registry',
  };
}
