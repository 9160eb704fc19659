# syntax=docker/dockerfile:1
#
# PollChat in a container: build once, run the standalone server (node server.js) as a
# non-root user. The final image holds only .next/standalone, which scripts/postbuild.mjs
# completed with the static files, public/ and the SQL migrations (applied at start).
#
#   docker build -t pollchat .
#   docker run -p 3000:3000 -e DATABASE_URL=postgres://… -e AUTH_SECRET=… pollchat
#
# Without DATABASE_URL the embedded database lives in /data (mount a volume there).
# compose.yaml runs it with PostgreSQL.

# ---- dependencies: cached until package.json, package-lock.json or the driver patch change
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci's postinstall patches the PostgreSQL driver (scripts/patch-postgres.mjs).
COPY scripts/patch-postgres.mjs scripts/
RUN npm ci --no-audit --no-fund

# ---- build: next build, then postbuild completes .next/standalone
FROM node:24-bookworm-slim AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY --from=deps /app/node_modules ./node_modules
COPY . .
RUN npm run build

# ---- runtime: the standalone folder alone
FROM node:24-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    PORT=3000 \
    HOSTNAME=0.0.0.0 \
    DATA_DIR=/data \
    PGLITE_DIR=/data/pglite \
    NEXT_MANUAL_SIG_HANDLE=true
RUN groupadd --system --gid 1001 pollchat \
 && useradd --system --uid 1001 --gid pollchat --no-create-home --shell /usr/sbin/nologin pollchat \
 && mkdir -p /data \
 && chown pollchat:pollchat /data
# server.js, its traced node_modules, .next (server code + static), public/, db/migrations
COPY --from=build --chown=pollchat:pollchat /app/.next/standalone ./
USER pollchat:pollchat
EXPOSE 3000
# Liveness with a real database query; node's own fetch, nothing to install.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM (docker stop): the server stops listening, closes its connections after their
# current answer, gives answers in progress SHUTDOWN_GRACE_MS (25 s) to finish, hands the rest
# over to the next server and exits within SHUTDOWN_GRACE_MS + 2 s (lib/shutdown.ts; the app,
# not Next, handles the signal: NEXT_MANUAL_SIG_HANDLE above). Docker's default is 10 s before
# SIGKILL: give it 35 s (docker stop -t 35, docker run --stop-timeout 35; compose.yaml does).
STOPSIGNAL SIGTERM
CMD ["node", "server.js"]
