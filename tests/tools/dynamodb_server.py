"""A DynamoDB-compatible server for the tests: moto's backend, applying one request at a time.

moto's own `moto_server` answers requests on many threads, and its in-memory tables are not
safe for that (concurrent transactions fail with "dictionary changed size during iteration").
DynamoDB itself applies each request atomically, so this server accepts connections on many
threads but runs moto's app under one lock: clients still race each other between requests,
exactly as against DynamoDB.

The server stops by itself when the process that started it exits, so a test run that is
killed leaves nothing behind.

usage: dynamodb_server.py HOST PORT
"""

import os
import sys
import threading
import time

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server


def watch_parent(server):
    parent = os.getppid()
    while os.getppid() == parent:
        time.sleep(0.3)
    server.shutdown()


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    os.environ.setdefault("MOTO_PORT", str(port))
    moto_app = DomainDispatcherApplication(create_backend_app)
    lock = threading.Lock()

    def app(environ, start_response):
        with lock:
            return list(moto_app(environ, start_response))

    server = make_server(host, port, app, threaded=True, request_handler=MotoRequestHandler)
    threading.Thread(target=watch_parent, args=(server,), daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
