# The balancer image: Node plus the one bundled file `npm run build` makes on the
# host (dist/compose-lb.js). Nothing is installed inside the image: the bundle
# already holds every dependency, so the build needs no registry but the base.
#
#   npm run image                      # builds compose-lb:<version> and :latest
#   docker build --build-arg NODE_IMAGE=compose-lb/node-base:local -t compose-lb .
ARG NODE_IMAGE=node:20-bookworm-slim
FROM ${NODE_IMAGE}

WORKDIR /app
COPY dist/compose-lb.js /app/compose-lb.js

ENV NODE_ENV=production
# Non-root. Reading the Docker socket needs its group: add it to the service with
# `group_add: ["<gid of /var/run/docker.sock>"]` (compose-lb add writes this).
USER 1000:1000
EXPOSE 80 8081
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["node", "/app/compose-lb.js", "probe", "/healthz"]
ENTRYPOINT ["node", "/app/compose-lb.js"]
CMD ["serve"]
