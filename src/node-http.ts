// Node's `http` module, for the programs that run in model pods (agent, batch runner). An
// `import ... from 'node:http'` builds an ES module namespace of every export, which reads the lazy
// `WebSocket` getter and so loads Node's bundled undici: about 13 MiB of resident memory that these
// programs never use. `process.getBuiltinModule` returns the module object itself, getters unread.
// Type-only imports from 'node:http' stay as they are (erased).
export const http = process.getBuiltinModule('node:http');
