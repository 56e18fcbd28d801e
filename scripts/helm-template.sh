#!/usr/bin/env bash
# Renders (or lints) the Helm chart without a helm binary or a cluster: helm-java (Helm's own Go
# engine as a native library, from Maven Central) driven by scripts/helm/Render.java.
#
#   scripts/helm-template.sh [deploy/helm/reverie] [-f my-values.yaml]... [--set key=value]... [--namespace ns] [--name release]
#   scripts/helm-template.sh lint [deploy/helm/reverie]
#
# The rendered YAML goes to stdout (pipe it to `kubectl apply -f -` or a file). The jars are fetched
# with Maven once into $REVERIE_HELM_CACHE (default ~/.cache/reverie-helm); later runs need no network.
# Needs Java 17+ (and Maven for the first run).
#
# Environment:
#   REVERIE_HELM_CACHE     where the jars go (default ~/.cache/reverie-helm)
#   HELM_JAVA_VERSION      helm-java version (default: the one in scripts/helm/pom.xml)
#   HELM_JAVA_PLATFORM     native build: linux-amd64 (default), linux-arm64, darwin-amd64, darwin-arm64
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/.." && pwd)
readonly SCRIPT_DIR REPO_DIR
readonly POM="$SCRIPT_DIR/helm/pom.xml"
readonly CACHE_DIR="${REVERIE_HELM_CACHE:-$HOME/.cache/reverie-helm}"

die() { echo "helm-template: $*" >&2; exit 1; }

default_platform() {
  local os arch
  case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) os=windows ;; esac
  case "$(uname -m)" in x86_64 | amd64) arch=amd64 ;; aarch64 | arm64) arch=arm64 ;; *) arch=amd64 ;; esac
  echo "$os-$arch"
}

readonly PLATFORM="${HELM_JAVA_PLATFORM:-$(default_platform)}"
VERSION="${HELM_JAVA_VERSION:-$(sed -n 's:.*<helm.java.version>\(.*\)</helm.java.version>.*:\1:p' "$POM")}"
readonly VERSION

# Copies helm-java and its native build into $CACHE_DIR/helm-java-<version>-<platform>/lib once; a
# fetch goes to a temp dir renamed into place, so an interrupted or concurrent one leaves nothing half-done.
fetch_jars() {
  LIB="$CACHE_DIR/helm-java-$VERSION-$PLATFORM/lib"
  [[ -f $LIB/../.complete ]] && return 0
  command -v mvn >/dev/null 2>&1 || die "Maven (mvn) is needed once to fetch helm-java $VERSION from Maven Central"
  echo "helm-template: fetching helm-java $VERSION ($PLATFORM) jars (first run only)…" >&2
  mkdir -p "$CACHE_DIR"
  local tmp
  tmp=$(mktemp -d "$CACHE_DIR/.fetch.XXXXXX")
  if ! mvn -q -B -f "$POM" "-Dhelm.java.version=$VERSION" "-Dhelm.java.platform=$PLATFORM" \
    dependency:copy-dependencies -DincludeScope=runtime "-DoutputDirectory=$tmp/lib" >"$tmp/mvn.log" 2>&1; then
    tail -n 30 "$tmp/mvn.log" >&2
    rm -rf "$tmp"
    die "could not fetch helm-java with Maven (see above)"
  fi
  date -u +%FT%TZ >"$tmp/.complete"
  mv -T "$tmp" "$CACHE_DIR/helm-java-$VERSION-$PLATFORM" 2>/dev/null || rm -rf "$tmp"
  [[ -f $LIB/../.complete ]] || die "could not install helm-java into $LIB"
}

command -v java >/dev/null 2>&1 || die "Java 17+ is needed (java not found)"
mode=template
if [[ ${1:-} == lint || ${1:-} == template ]]; then mode=$1; shift; fi
chart="$REPO_DIR/deploy/helm/reverie"
if [[ $# -gt 0 && ${1:0:1} != - ]]; then chart=$1; shift; fi
[[ -f $chart/Chart.yaml ]] || die "no Chart.yaml in $chart"

fetch_jars
# The single-file source launcher compiles Render.java in memory (a second or two); JNA unpacks
# the native library into java.io.tmpdir.
exec java -cp "$LIB/*" "$SCRIPT_DIR/helm/Render.java" "$mode" "$chart" "$@"
