# syntax=docker/dockerfile:1
# The modelship image: the operator (the default command) and the programs that run in model pods as
# subcommands of the same entry point (`fetch <uri> <destination>`, the model fetcher of the init container).
# Node 24, production dependencies only, non-root, no shell needed at run time.

FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# Node's compile cache, warmed at build time: with it no program of the image loads Node's TypeScript
# stripper (about 25 MiB of RSS). Built on the runtime's own image, as its user (the cache folder is per node
# binary and uid) and with each program's flags (Node keeps one cache folder per set of V8 flags), from the
# same paths, so the runtime can use it as is (read-only: the root filesystem is read-only in the chart).
FROM gcr.io/distroless/nodejs24-debian12:nonroot AS compile-cache
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY src ./src
USER 65532:65532
ENV NODE_COMPILE_CACHE=/tmp/node-compile-cache
RUN ["/nodejs/bin/node", "--max-semi-space-size=1", "src/main.ts", "fetch", "--help"]
RUN ["/nodejs/bin/node", "--max-semi-space-size=4", "src/main.ts", "batch", "--help"]
RUN ["/nodejs/bin/node", "--max-semi-space-size=1", "src/main.ts", "agent", "--help"]
RUN ["/nodejs/bin/node", "--max-semi-space-size=1", "src/main.ts", "profile", "--help"]
RUN ["/nodejs/bin/node", "--max-semi-space-size=1", "src/main.ts", "drift", "--help"]
RUN ["/nodejs/bin/node", "--optimize-for-size", "src/main.ts", "--help"]

FROM gcr.io/distroless/nodejs24-debian12:nonroot AS runtime
LABEL org.opencontainers.image.title="modelship" \
      org.opencontainers.image.description="Kubernetes operator that takes trained machine-learning models to production, and its model fetcher" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://modelship.io"
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY src ./src
COPY --from=compile-cache /tmp/node-compile-cache /app/.node-compile-cache
ENV NODE_COMPILE_CACHE=/app/.node-compile-cache
# glibc's malloc keeps up to 8 arenas per core; two are plenty for one event loop (about 10 MiB less RSS
# with 1000 ModelDeployments, bench/results/memory-sweep.json).
ENV MALLOC_ARENA_MAX=2
# Fixed malloc thresholds (setting them turns off glibc's dynamic ones, which rise after the first large
# free and then keep freed memory): the operator's first lists read tens of MiB of JSON per kind, whose
# buffers are otherwise kept after they are freed (bench/results/memory-sweep.cache-memory.json).
ENV MALLOC_TRIM_THRESHOLD_=131072 MALLOC_MMAP_THRESHOLD_=131072
USER 65532:65532
# The entry point of the programs in model pods and Jobs (`fetch ...`, `batch ...`, `agent ...`, `profile ...`,
# `drift ...` as arguments): they move data,
# so a 1 MiB semi-space keeps their RSS low without --optimize-for-size, which halves their throughput
# (more GC, interpreted code: README "Performance"). The operator's container runs `npm start`'s command
# instead (node --optimize-for-size src/main.ts: its heap is long-lived objects), set in the chart.
# distroless' node is the entrypoint's binary.
ENTRYPOINT ["/nodejs/bin/node", "--max-semi-space-size=1", "src/main.ts"]
