// A ManagedContext for the layout tables' tests: the values a plan would hand the managed
// keys of one env, with every optional input unset, and `over` on top.
import type { ManagedContext } from '../../src/esb/conventions';

export function managedContext(over: Partial<ManagedContext> & Pick<ManagedContext, 'env' | 'composeFile'>): ManagedContext {
  return {
    mode: 'docker',
    root: '/proj',
    subnetSlot: 7,
    registryPort: 5010,
    tag: { ci: false, gitSha: undefined, now: new Date(0) },
    dirs: { home: '/home/u', xdgCacheHome: undefined },
    cliCmd: 'esb',
    envPrefix: 'ESB',
    dockerHost: undefined,
    dockerContext: undefined,
    md5: () => undefined,
    userCertDir: undefined,
    user: {},
    esbProject: 'esb',
    withProxy: false,
    ...over,
  };
}
