#!/usr/bin/env bash
# Generates what phone callers hear: each prompt spoken by espeak-ng, then
# made raw 8 kHz mono signed 16-bit little-endian PCM by ffmpeg (what
# server/src/telephony/prompts.ts loads). Usage: build.sh OUTPUT_DIR.
# Skips the work when the output is newer than this script.
set -euo pipefail

out="${1:?usage: build.sh OUTPUT_DIR}"
self="${BASH_SOURCE[0]}"
if [ -f "$out/.built" ] && [ "$out/.built" -nt "$self" ]; then exit 0; fi
mkdir -p "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

while IFS='|' read -r name text; do
  espeak-ng -v en-us -s 150 -w "$tmp/$name.wav" "$text" </dev/null
  ffmpeg -nostdin -loglevel error -y -i "$tmp/$name.wav" -ar 8000 -ac 1 -f s16le "$out/$name.raw"
done <<'PROMPTS'
welcome|Welcome to Parley. Please enter your meeting PIN, followed by the hash key.
wrong-pin|That PIN is not valid. Please try again.
too-many|Too many wrong PINs. Goodbye.
lobby|Please wait. A host will let you in shortly.
joined|You are now in the meeting. Press star six to mute or unmute.
muted|You are muted.
unmuted|You are unmuted.
ask-unmute|A host asks you to unmute. Press star six to unmute.
denied|A host did not let you in. Goodbye.
removed|A host removed you from the meeting. Goodbye.
ended|The meeting has ended. Goodbye.
full|This meeting is full. Goodbye.
PROMPTS
touch "$out/.built"
