#!/usr/bin/env bash
# Acceptance rate over loopback with every perimeter check on (DNS from the in-JVM test DNS
# server, DNSBL/RHSBL zones that answer NXDOMAIN, greylisting passed once) versus all off.
# Usage: bench/perimeter.sh [sessions] [concurrency]. Not a timed test: numbers are for comparison.
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
# One reactor run: module dependencies resolve to their target/classes, nothing is installed.
mvn -B -q ${MVN_OFFLINE:-} -pl server -am test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test
cp="server/target/test-classes:server/target/classes:$(cat server/target/bench.cp)"
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$cp" moat.server.policy.PerimeterBench "${1:-2000}" "${2:-16}"
