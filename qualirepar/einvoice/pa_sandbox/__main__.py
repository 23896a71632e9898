"""`python -m qualirepar.einvoice.pa_sandbox [--host H] [--port P]`: serve the PA sandbox."""
import argparse

from . import create_pa_sandbox_app, serve

parser = argparse.ArgumentParser(description="Bac à sable d'une plateforme agréée (facturation électronique)")
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, default=5002)
args = parser.parse_args()
server = serve(create_pa_sandbox_app(), args.host, args.port)
print(f"PA sandbox on http://{args.host}:{server.server_port}/_sandbox/", flush=True)
server.serve_forever()
