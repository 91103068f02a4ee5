# ClusterGPT for the in-cluster CronJob (k8s/30-cronjob.yaml; `kubectl apply -f k8s/`). Reports: md, json, html, sarif, junit.
# PDF needs Chromium, which this slim image leaves out on purpose (about 300 MB);
# render PDFs on a workstation from the saved snapshot instead.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm ci --ignore-scripts --no-audit --no-fund && npx tsc -p tsconfig.build.json && npm prune --omit=dev --ignore-scripts

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY rules ./rules
COPY templates ./templates
COPY data ./data
# The image runs as the unprivileged "node" user (uid 1000) with a read-only root filesystem;
# reports go to /reports (a volume).
USER 1000:1000
ENTRYPOINT ["node", "/app/bin/clustergpt.js"]
CMD ["analyze", "--format", "md,json,html,sarif", "--output", "/reports"]
