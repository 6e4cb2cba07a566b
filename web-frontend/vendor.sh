#!/usr/bin/env bash
# Rebuild the dashboard's vendored static files from the npm registry (pinned in package-lock.json).
# The outputs are committed, so installing sanctionwatch needs no Node.js; run this only to upgrade them.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
out=../src/sanctionwatch/web/static/vendor
mkdir -p "$out"
cp node_modules/maplibre-gl/dist/maplibre-gl.js node_modules/maplibre-gl/dist/maplibre-gl.css "$out/"
cp node_modules/maplibre-gl/LICENSE.txt "$out/maplibre-gl.LICENSE.txt"
cp node_modules/topojson-client/dist/topojson-client.min.js "$out/"
cp node_modules/topojson-client/LICENSE "$out/topojson-client.LICENSE"
cp node_modules/world-atlas/countries-50m.json "$out/countries-50m.topo.json"
cp node_modules/world-atlas/LICENSE "$out/world-atlas.LICENSE"
cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css "$out/"
cp node_modules/swagger-ui-dist/LICENSE "$out/swagger-ui.LICENSE"
echo "vendored into $out"
