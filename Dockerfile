# syntax=docker/dockerfile:1
# One image for the API, the worker and the migrations; the command picks the role.

FROM node:26-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY api ./api
COPY activities ./activities
COPY db ./db
COPY lib ./lib
COPY scripts ./scripts
COPY test ./test
COPY web ./web
COPY worker ./worker
COPY workflows ./workflows
RUN npx tsc -p . --outDir dist
# The workflow code built once here: workers start without webpack, and every worker of this image
# runs byte-identical workflow code (its hash is the default Worker Versioning build id).
RUN node dist/worker/workflow-bundle.js dist/workflow-bundle.js

FROM node:26-bookworm-slim AS runtime
ENV NODE_ENV=production
ENV WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY db/migrations ./db/migrations
# The web app's stylesheet and script, beside its compiled modules (web/assets.ts reads them there).
COPY web/assets ./dist/web/assets
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.API_PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/api/main.js"]
