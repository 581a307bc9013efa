// Types of server.mjs, for the TypeScript tests that serve the demo.
/** URL prefix → folder: the demo's own folder at '/', dist/ at '/shmkit/'. */
export const DEMO_MOUNTS: Record<string, string>;
