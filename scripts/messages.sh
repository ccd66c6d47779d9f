#!/usr/bin/env bash
# Extract every translatable string and merge it into the French, Dutch and English catalogues.
set -euo pipefail
cd "$(dirname "$0")/.."
BABEL=.venv/bin/pybabel
DIR=workspace/translations
$BABEL extract -F babel.cfg -k lazy_gettext --no-location --sort-output --omit-header -o "$DIR/messages.pot" .
for lang in fr nl en; do
  if [ -f "$DIR/$lang/LC_MESSAGES/messages.po" ]; then
    $BABEL update --no-fuzzy-matching --ignore-obsolete -i "$DIR/messages.pot" -d "$DIR" -l "$lang"
  else
    $BABEL init -i "$DIR/messages.pot" -d "$DIR" -l "$lang"
  fi
done
