#!/bin/sh
# Entry point of the demo "database" container (busybox:1.36, run by docker-init).
#
# A stand-in for a real data store: busybox httpd on port 8000 whose data lives
# in the named volume mounted at /data.
#
#   GET  /status           {"service":"database","env":...,"boots":N}
#                          (N counts the starts that used this volume)
#   POST /cgi-bin/kv/<key> store the request body under <key>
#   GET  /cgi-bin/kv/<key> read it back (404 when unknown)
#
# Container environment read: ESB_ENV.
set -eu

: "${ESB_ENV:?ESB_ENV is not set}"
mkdir -p /data/www/cgi-bin /data/kv
cp /srv/database/cgi-bin/* /data/www/cgi-bin/
chmod 755 /data/www/cgi-bin/*

boots=$(cat /data/boots 2>/dev/null || echo 0)
boots=$((boots + 1))
echo "$boots" >/data/boots

printf '{"service":"database","env":"%s","boots":%s}\n' "$ESB_ENV" "$boots" >/data/www/status
echo ".json:application/json" >/etc/database-httpd.conf

echo "database: env=$ESB_ENV boot #$boots listening on :8000"
exec httpd -f -v -p 8000 -h /data/www -c /etc/database-httpd.conf
