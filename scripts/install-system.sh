#!/usr/bin/env bash
# Install the Debian packages OperatorX needs, and only those that are missing:
#   nmap, iproute2 (ip), a JDK >= 17 for the local Elasticsearch (openjdk-17-jre-headless),
#   a C/C++ compiler to build llama-cpp-python (build-essential), ca-certificates.
# Runs apt-get as root, through sudo when available, or prints the command to run.
#
#   bash scripts/install-system.sh     # prints nothing when all is there
set -euo pipefail

# A JDK >= 17 anywhere local_cluster.find_java() looks (ES_JAVA_HOME, JAVA_HOME, /usr/lib/jvm, PATH).
have_java17() {
    local dirs=("${ES_JAVA_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/*) java home major
    if java=$(command -v java); then
        home=$(dirname "$(dirname "$(readlink -f "$java")")")
        dirs+=("$home")
    fi
    for home in "${dirs[@]}"; do
        [[ -n $home && -x $home/bin/java && -f $home/release ]] || continue
        major=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release")
        [[ -n $major && $major -ge 17 ]] && return 0
    done
    return 1
}

missing=()
command -v nmap >/dev/null || missing+=(nmap)
command -v ip >/dev/null || missing+=(iproute2)
have_java17 || missing+=(openjdk-17-jre-headless)
{ command -v cc && command -v c++ && command -v make; } >/dev/null || missing+=(build-essential)
[[ -f /etc/ssl/certs/ca-certificates.crt ]] || missing+=(ca-certificates)

if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

install=(apt-get install -y --no-install-recommends "${missing[@]}")
if [[ $(id -u) -eq 0 ]]; then
    sudo=()
elif command -v sudo >/dev/null; then
    sudo=(sudo)
else
    echo "install-system: missing Debian packages: ${missing[*]}. As root, run:" >&2
    echo "  apt-get update && DEBIAN_FRONTEND=noninteractive ${install[*]}" >&2
    exit 1
fi
echo "install-system: installing ${missing[*]}"
"${sudo[@]}" apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive "${install[@]}"
