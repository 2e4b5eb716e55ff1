#!/bin/sh
# Entrypoint of the Matcha image.
#   (no arguments) or serve [OPTIONS]   migrate the database, then serve
#   migrate | create-user | backup ...   run that `matcha` command
#   anything else                        run it as is (e.g. sh)
set -eu

if [ "$#" -eq 0 ]; then
    set -- serve
fi

case "$1" in
    serve)
        matcha migrate
        exec matcha "$@"
        ;;
    migrate | create-user | backup | -h | --help)
        exec matcha "$@"
        ;;
    *)
        exec "$@"
        ;;
esac
