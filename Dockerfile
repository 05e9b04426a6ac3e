# syntax=docker/dockerfile:1
# The modelship operator image: Node 24, production dependencies only, non-root, no shell needed at run time.

FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM gcr.io/distroless/nodejs24-debian12:nonroot AS runtime
LABEL org.opencontainers.image.title="modelship" \
      org.opencontainers.image.description="Kubernetes operator that takes trained machine-learning models to production" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://modelship.io"
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY src ./src
USER 65532:65532
# The same entry point as `npm start` (node src/main.ts); distroless' node is the entrypoint's binary.
ENTRYPOINT ["/nodejs/bin/node", "src/main.ts"]
