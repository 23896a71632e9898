"""`python -m qualirepar.eco.sandbox [--host H] [--port P]`: serve the sandbox."""
import argparse

from . import create_sandbox_app, serve

parser = argparse.ArgumentParser(description="Bac à sable des API ecosystem et Ecologic")
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, default=5001)
args = parser.parse_args()
server = serve(create_sandbox_app(), args.host, args.port)
print(f"Bac à sable éco-organismes : http://{args.host}:{server.server_port}/_sandbox/", flush=True)
server.serve_forever()
