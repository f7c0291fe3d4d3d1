#!/usr/bin/env bash
# Generates a test CA, a broker certificate and one client certificate per name, for the
# Mosquitto configuration in this folder. The certificate's CN is the MQTT user name
# (use_identity_as_username), so a device's CN must be its device id.
#
#   docs/mosquitto/gen-certs.sh OUT_DIR BROKER_HOST relay-1 device-1 device-2 ...
#
# For production, issue certificates from your own PKI; this is for tests and trials.
set -euo pipefail
out="$1"; host="$2"; shift 2
mkdir -p "$out"
cd "$out"
days=30
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "$days" -subj "/CN=tandem-test-ca" \
  -keyout ca.key -out ca.crt 2>/dev/null
sign() { # name, extensions file
  openssl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=$1" -keyout "$1.key" -out "$1.csr" 2>/dev/null
  openssl x509 -req -sha256 -days "$days" -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial \
    -extfile "$2" -out "$1.crt" 2>/dev/null
  rm -f "$1.csr"
}
printf 'subjectAltName=DNS:%s,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' "$host" > server.ext
sign server server.ext
printf 'extendedKeyUsage=clientAuth\n' > client.ext
for name in "$@"; do
  sign "$name" client.ext
done
rm -f server.ext client.ext ca.srl
chmod 600 ./*.key
